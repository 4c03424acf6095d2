import type { IngestBatch } from '../../model/ingest.ts';
import type { Limits } from '../../model/limits.ts';
import type { BatchProblem } from './types.ts';

function depthOf(value: unknown, limit: number, depth = 1): number {
  if (depth > limit || value === null || typeof value !== 'object') return depth;
  let max = depth;
  for (const v of Object.values(value as object)) {
    if (v !== null && typeof v === 'object') max = Math.max(max, depthOf(v, limit, depth + 1));
    if (max > limit) break;
  }
  return max;
}

/** Limits zod cannot express cheaply: batch size, attribute nesting and size. */
export function checkBatchLimits(batch: IngestBatch, limits: Limits): BatchProblem[] {
  const problems: BatchProblem[] = [];
  if (batch.cis.length > limits.batchCis) {
    problems.push({ path: ['cis'], code: 'too_many_cis', message: `a batch holds at most ${limits.batchCis} CIs, this one has ${batch.cis.length}; split it` });
  }
  if (batch.relations.length > limits.batchRelations) {
    problems.push({ path: ['relations'], code: 'too_many_relations', message: `a batch holds at most ${limits.batchRelations} relations, this one has ${batch.relations.length}; split it` });
  }
  const checkAttrs = (attrs: unknown, path: (string | number)[]) => {
    if (!attrs) return;
    if (depthOf(attrs, limits.attributeDepth) > limits.attributeDepth) {
      problems.push({ path, code: 'too_deep', message: `attributes nest at most ${limits.attributeDepth} levels deep` });
    } else if (JSON.stringify(attrs).length > limits.attributeBytes) {
      problems.push({ path, code: 'too_large', message: `attributes take at most ${limits.attributeBytes} bytes as JSON` });
    }
  };
  if (problems.length) return problems;
  batch.cis.forEach((c, i) => checkAttrs(c.attributes, ['cis', i, 'attributes']));
  batch.relations.forEach((r, i) => checkAttrs(r.attributes, ['relations', i, 'attributes']));
  return problems;
}
