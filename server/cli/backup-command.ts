import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { backupStore, restoreStore } from '../ops/backup.ts';
import { processEnvironment } from '../config.ts';

const usage = (cmd: string) => `usage: servicegraph ${cmd} <file> [--data-dir DIR]
  ${cmd === 'backup'
    ? 'an online, consistent copy of the embedded store (writes go on meanwhile); never overwrites <file>'
    : 'put a backup in place of the store; refused while a server runs on the data dir (the replaced store is kept beside it)'}
  --data-dir DIR   the server's SERVICEGRAPH_DATA_DIR (default: that variable, else ./data)
  Neo4j: use neo4j-admin database dump/load or backup/restore (docs/neo4j.md).`;

/** `servicegraph backup <file>` and `servicegraph restore <file>` for the embedded (SQLite) store. */
export function backupCommand(kind: 'backup' | 'restore') {
  return async (argv: string[]): Promise<number> => {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) { console.log(usage(kind)); return 0; }
    if (positionals.length !== 1) { console.error(usage(kind)); return 2; }
    if ((processEnvironment().SERVICEGRAPH_STORE ?? 'sqlite') !== 'sqlite') {
      console.error(`servicegraph ${kind} works on the embedded store; for Neo4j use neo4j-admin (see docs/neo4j.md)`);
      return 2;
    }
    const dataDir = resolve(values['data-dir'] ?? processEnvironment().SERVICEGRAPH_DATA_DIR ?? './data');
    const file = resolve(positionals[0]);
    try {
      if (kind === 'backup') {
        const b = backupStore(dataDir, file);
        console.log(`backed up ${dataDir} to ${b.file}: ${b.cis} CIs, up to change event ${b.seq} (${(b.bytes / 1e6).toFixed(1)} MB)`);
      } else {
        const r = restoreStore(dataDir, file);
        console.log(`restored ${file} into ${dataDir}: ${r.cis} CIs, up to change event ${r.seq}${r.previous ? `; the store it replaced is kept as ${r.previous}` : ''}`);
      }
      return 0;
    } catch (e) {
      console.error(`servicegraph ${kind}: ${(e as Error).message}`);
      return 1;
    }
  };
}
