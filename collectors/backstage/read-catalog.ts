import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CollectError } from '../types.ts';
import { parseCatalogText, type RawEntity } from './parse.ts';

/**
 * The fetch: read catalog files and folders (every .yaml/.yml below), following Location entities
 * whose targets are local files, each file once. Remote targets (URLs) are reported, not fetched:
 * the collector reads what is on this machine.
 */
export async function readCatalog(inputs: string[]): Promise<{ entities: RawEntity[]; files: string[]; warnings: string[] }> {
  const queue: { path: string; from?: string }[] = [];
  for (const input of inputs) {
    const st = await stat(input).catch(() => { throw new CollectError('no such file or folder', input); });
    if (st.isDirectory()) for (const f of await yamlFilesUnder(input)) queue.push({ path: f });
    else queue.push({ path: input });
  }
  const read = new Set<string>();
  const entities: RawEntity[] = [];
  const warnings: string[] = [];
  while (queue.length) {
    const { path, from } = queue.shift()!;
    const abs = resolve(path);
    if (read.has(abs)) continue;
    read.add(abs);
    const text = await readFile(abs, 'utf8').catch(() => { throw new CollectError('Location target cannot be read', from ?? path); });
    for (const e of parseCatalogText(text, path)) {
      if (e.kind === 'location') {
        for (const target of locationTargets(e)) {
          if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) warnings.push(`${e.file}:${e.line}: remote Location target ${target} not followed`);
          else queue.push({ path: join(dirname(path), target), from: `${e.file}:${e.line}` });
        }
      }
      entities.push(e);
    }
  }
  return { entities, files: [...read], warnings };
}

function locationTargets(e: RawEntity): string[] {
  const { target, targets } = e.spec;
  const list = [...(typeof target === 'string' ? [target] : []), ...(Array.isArray(targets) ? targets : [])];
  if (!list.every((t) => typeof t === 'string')) throw new CollectError('Location targets must be strings', e.file, e.lineOf('targets'));
  return list as string[];
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await yamlFilesUnder(p)));
    else if (/\.ya?ml$/.test(entry.name)) out.push(p);
  }
  return out;
}
