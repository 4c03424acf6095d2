import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { IngestCi, IngestRelation } from '../../server/model/ingest.ts';
import type { Collected, CollectInput, Collector } from '../types.ts';
import { CollectError } from '../types.ts';
import { parseMapping } from './mapping.ts';
import { sheetToIngest } from './transform.ts';

export const csvCollector: Collector = {
  source: 'csv',
  summary: 'CIs and relations from CSV files, columns mapped by a small YAML mapping file',
  usage: 'servicegraph collect csv [file.csv...] --mapping mapping.yaml [--scope S]',
  async collect(input: CollectInput): Promise<Collected> {
    const mappingFile = input.options.mapping;
    if (typeof mappingFile !== 'string') throw new CollectError('--mapping <file.yaml> is required');
    const read = (f: string) => readFile(f, 'utf8').catch(() => { throw new CollectError('cannot read file', f); });
    const mapping = parseMapping(await read(mappingFile), mappingFile);
    const cis: IngestCi[] = [];
    const relations: IngestRelation[] = [];
    const claimed = new Set<string>();
    // Sheets naming a file read it (a command-line file of that name first), the others every file left.
    const named = mapping.sheets.filter((s) => s.file);
    const generic = mapping.sheets.filter((s) => !s.file);
    const jobs: { sheet: (typeof mapping.sheets)[number]; file: string }[] = [];
    for (const sheet of named) {
      const onCli = input.inputs.find((i) => basename(i) === basename(sheet.file!));
      const file = onCli ?? join(dirname(mappingFile), sheet.file!);
      claimed.add(file);
      jobs.push({ sheet, file });
    }
    for (const file of input.inputs.filter((i) => !claimed.has(i))) {
      if (!generic.length) throw new CollectError(`no sheet of the mapping reads ${basename(file)}`, mappingFile);
      for (const sheet of generic) jobs.push({ sheet, file });
    }
    for (const { sheet, file } of jobs) {
      const out = sheetToIngest(sheet, await read(file), file);
      cis.push(...out.cis);
      relations.push(...out.relations);
      input.progress(`read ${file}: ${out.cis.length} CIs, ${out.relations.length} relations`);
    }
    return { scope: 'csv:' + resolve(mappingFile), cis, relations, warnings: [] };
  },
};
