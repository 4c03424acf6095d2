import type { IngestCi, IngestRelation } from '../server/model/ingest.ts';
import type { Collected } from './types.ts';

export interface BatchLimits {
  /** CIs per batch (the server accepts up to SERVICEGRAPH_LIMIT_BATCH_CIS, default 10000). */
  cis: number;
  /** Relations per batch (server default 30000). */
  relations: number;
  /** Serialised size of one batch's items; the server's body limit is 16 MB. */
  bytes: number;
}

export const defaultBatchLimits: BatchLimits = { cis: 1000, relations: 3000, bytes: 8 * 1024 * 1024 };

export interface PlannedBatch {
  cis: IngestCi[];
  relations: IngestRelation[];
}

/**
 * Splits a run into batches within the server's limits. Every CI batch comes before every relation,
 * so a relation is sent only once both of its ends (when they are in this run) have been sent: the
 * server rejects a relation naming an unknown CI. The first relations ride in the last CI batch when
 * there is room. A run with nothing in it is still one (empty) batch, so that completion can happen.
 */
export function planBatches(c: Pick<Collected, 'cis' | 'relations'>, limits: BatchLimits = defaultBatchLimits): PlannedBatch[] {
  const batches: PlannedBatch[] = [];
  let current: PlannedBatch = { cis: [], relations: [] };
  let bytes = 0;
  const flush = () => {
    batches.push(current);
    current = { cis: [], relations: [] };
    bytes = 0;
  };
  for (const ci of c.cis) {
    const size = Buffer.byteLength(JSON.stringify(ci));
    if (current.cis.length >= limits.cis || (bytes + size > limits.bytes && current.cis.length > 0)) flush();
    current.cis.push(ci);
    bytes += size;
  }
  for (const rel of c.relations) {
    const size = Buffer.byteLength(JSON.stringify(rel));
    const hasItems = current.cis.length + current.relations.length > 0;
    if (current.relations.length >= limits.relations || (bytes + size > limits.bytes && hasItems)) flush();
    current.relations.push(rel);
    bytes += size;
  }
  if (current.cis.length || current.relations.length || batches.length === 0) flush();
  return batches;
}
