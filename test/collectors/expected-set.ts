import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export const DATA = '/work/shared/data';

/** Answer-key lines (`caller -> callee`, or any line per item), blank lines and comments skipped. */
export function readKey(path: string): Set<string> {
  return new Set(readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
}

export interface Score { recall: number; precision: number; missing: string[]; extra: string[] }

export function score(expected: Set<string>, actual: Iterable<string>): Score {
  const got = new Set(actual);
  const missing = [...expected].filter((e) => !got.has(e));
  const extra = [...got].filter((g) => !expected.has(g));
  const hit = expected.size - missing.length;
  return {
    recall: expected.size ? hit / expected.size : 1,
    precision: got.size ? hit / got.size : 1,
    missing, extra,
  };
}

/** Assert a set equals its answer key, printing recall and precision (the figures the issue asks for). */
export function expectMatchesKey(label: string, expected: Set<string>, actual: Iterable<string>): Score {
  const s = score(expected, actual);
  console.log(`${label}: recall ${(s.recall * 100).toFixed(1)}% precision ${(s.precision * 100).toFixed(1)}% (${expected.size} expected)`);
  expect({ missing: s.missing, extra: s.extra }).toEqual({ missing: [], extra: [] });
  return s;
}

/** What a collector returns must be a batch the ingest API accepts as is. */
export async function expectValidBatch(source: string, collected: { scope: string; cis: unknown[]; relations: unknown[] }): Promise<void> {
  const { IngestBatch } = await import('../../server/model/ingest.ts');
  const parsed = IngestBatch.safeParse({ source, scope: collected.scope, cis: collected.cis, relations: collected.relations });
  expect(parsed.success ? [] : parsed.error.issues.slice(0, 3)).toEqual([]);
}
