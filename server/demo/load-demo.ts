import type { GraphStore } from '../store/port.ts';
import type { Limits } from '../model/limits.ts';
import { ingest } from '../ingest/ingest-service.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateEstate } from './generate-estate.ts';
import { collectCompose } from '../../collectors/compose/index.ts';

/** The OpenTelemetry Astronomy Shop from the shared sample data, when it sits beside the checkout. */
const otelDemoCompose = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'opentelemetry-demo', 'docker-compose.yml');

/**
 * Loads the generated demo estate through the same ingest path collectors use, in batches,
 * as one completed run of the `demo` source (so loading it twice changes nothing).
 */
export async function loadDemo(store: GraphStore, limits: Limits, opts: { cis?: number; seed?: number; withShop?: boolean; progress?: (msg: string) => void } = {}) {
  const estate = generateEstate({ cis: opts.cis ?? 3000, seed: opts.seed ?? 7 });
  const runId = `demo-${Date.now()}`;
  const batchCis = 1000, batchRels = 3000;
  let created = 0;
  const total = Math.ceil(estate.cis.length / batchCis) + Math.ceil(estate.relations.length / batchRels);
  let n = 0;
  const send = async (cis: typeof estate.cis, relations: typeof estate.relations, complete: boolean) => {
    const out = await ingest(store, { source: 'demo', scope: 'demo-estate', runId, complete, force: true, cis, relations }, { limits, maxRetireShare: 1 });
    if (!out.dryRun) created += out.result.cis.created + out.result.relations.created;
    opts.progress?.(`demo: batch ${++n}/${total}`);
    // The embedded store commits synchronously: a turn of the event loop between batches lets requests,
    // timers and signals through while a large demo loads.
    await new Promise((r) => setImmediate(r));
  };
  for (let i = 0; i < estate.cis.length; i += batchCis) await send(estate.cis.slice(i, i + batchCis), [], false);
  for (let i = 0; i < estate.relations.length; i += batchRels) {
    await send([], estate.relations.slice(i, i + batchRels), i + batchRels >= estate.relations.length);
  }
  let shop = { cis: 0, relations: 0 };
  if (opts.withShop !== false && existsSync(otelDemoCompose)) {
    // A real application beside the generated estate, read by the compose collector as a user would.
    const found = collectCompose(otelDemoCompose, { environment: 'demo-shop' });
    await ingest(store, { source: 'compose', scope: found.scope, runId: `${runId}-shop`, complete: true, force: true, cis: found.cis, relations: found.relations }, { limits, maxRetireShare: 1 });
    shop = { cis: found.cis.length, relations: found.relations.length };
  }
  return { cis: estate.cis.length + shop.cis, relations: estate.relations.length + shop.relations, created, shop };
}
