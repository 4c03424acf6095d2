import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { TopologySize } from '../port.ts';

const thread = new URL('./size-thread.mjs', import.meta.url);

/** The open rows, through the partial indexes cis_open_from and relations_open_from. */
const QUERIES = {
  cis: 'SELECT count(*) AS n FROM cis WHERE valid_to IS NULL',
  relations: 'SELECT count(*) AS n FROM relations WHERE valid_to IS NULL',
};

/** The live CIs and relations of the store file, counted on a thread of its own (size-thread.mjs says why). */
export function topologySizeOffLoop(file: string): Promise<TopologySize> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(thread, { workerData: { file, queries: QUERIES }, name: 'servicegraph topology size' });
    worker.unref();
    worker.once('message', (m: TopologySize | { error: string }) => ('error' in m ? reject(new Error(`counting the live topology: ${m.error}`)) : resolve(m)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`counting the live topology: the thread ended (exit code ${code})`)));
  });
}

/** The same on `db` itself: a private in-memory store, which no other connection can open (and which is small). */
export function topologySizeHere(db: Database.Database): TopologySize {
  const count = (sql: string) => db.prepare<[], { n: number }>(sql).get()!.n;
  return { cis: count(QUERIES.cis), relations: count(QUERIES.relations) };
}
