import { resolve } from 'node:path';
import type { Collected, CollectInput, Collector } from '../types.ts';
import { CollectError } from '../types.ts';
import { readCatalog } from './read-catalog.ts';
import { catalogToIngest } from './transform.ts';

export const backstageCollector: Collector = {
  source: 'backstage',
  summary: 'Backstage catalog-info.yaml entities: components, APIs, resources, systems, domains, groups and their relations',
  usage: 'servicegraph collect backstage <catalog-info.yaml|folder>... [--scope S]',
  async collect(input: CollectInput): Promise<Collected> {
    if (input.inputs.length === 0) throw new CollectError('name at least one catalog file or folder');
    const { entities, files, warnings } = await readCatalog(input.inputs);
    input.progress(`read ${files.length} files, ${entities.length} entities`);
    const result = catalogToIngest(entities);
    return {
      // One catalog is one scope: re-reading it completes the run and retires what was removed.
      scope: 'catalog:' + input.inputs.map((i) => resolve(i)).join(',').slice(0, 280),
      cis: result.cis, relations: result.relations, warnings: [...warnings, ...result.warnings],
    };
  },
};
