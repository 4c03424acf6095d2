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

/** The batch's size against the limits: a batch too large is refused whole (split it), before any item is read. */
export function countProblems(cis: number, relations: number, limits: Limits): BatchProblem[] {
  const problems: BatchProblem[] = [];
  if (cis > limits.batchCis) {
    problems.push({ path: ['cis'], code: 'too_many_cis', message: `a batch holds at most ${limits.batchCis} CIs, this one has ${cis}; split it` });
  }
  if (relations > limits.batchRelations) {
    problems.push({ path: ['relations'], code: 'too_many_relations', message: `a batch holds at most ${limits.batchRelations} relations, this one has ${relations}; split it` });
  }
  return problems;
}

/** An item's attributes against the limits zod cannot express cheaply (nesting, size as JSON); `path` names the item. */
export function attributeProblem(attrs: unknown, path: (string | number)[], limits: Limits): BatchProblem | null {
  if (!attrs) return null;
  if (depthOf(attrs, limits.attributeDepth) > limits.attributeDepth) {
    return { path: [...path, 'attributes'], code: 'too_deep', message: `attributes nest at most ${limits.attributeDepth} levels deep` };
  }
  if (JSON.stringify(attrs).length > limits.attributeBytes) {
    return { path: [...path, 'attributes'], code: 'too_large', message: `attributes take at most ${limits.attributeBytes} bytes as JSON` };
  }
  return null;
}

/** Limits zod cannot express cheaply: batch size, attribute nesting and size. */
export function checkBatchLimits(batch: IngestBatch, limits: Limits): BatchProblem[] {
  const problems = countProblems(batch.cis.length, batch.relations.length, limits);
  if (problems.length) return problems;
  batch.cis.forEach((c, i) => { const p = attributeProblem(c.attributes, ['cis', i], limits); if (p) problems.push(p); });
  batch.relations.forEach((r, i) => { const p = attributeProblem(r.attributes, ['relations', i], limits); if (p) problems.push(p); });
  return problems;
}
