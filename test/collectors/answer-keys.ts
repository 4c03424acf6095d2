import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Collected } from '../../collectors/types.ts';

export const DATA = '/work/shared/data';

/** Answer-key lines are `caller -> callee` (or one item a line); blank lines and `#` comments are skipped. */
export function readKey(...paths: string[]): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    for (const line of readFileSync(p, 'utf8').split('\n')) {
      const t = line.trim();
      if (t && !t.startsWith('#')) out.add(t.replace(/\s*->\s*/, ' -> '));
    }
  }
  return out;
}

export function union(...sets: Set<string>[]): Set<string> {
  return new Set(sets.flatMap((s) => [...s]));
}

export interface Score {
  recall: number;
  precision: number;
  missing: string[];
  extra: string[];
  found: number;
  expected: number;
}

export function score(found: Set<string>, expected: Set<string>): Score {
  const hit = [...found].filter((e) => expected.has(e)).length;
  return {
    recall: expected.size ? hit / expected.size : 1,
    precision: found.size ? hit / found.size : 1,
    missing: [...expected].filter((e) => !found.has(e)).sort(),
    extra: [...found].filter((e) => !expected.has(e)).sort(),
    found: found.size,
    expected: expected.size,
  };
}

export function pct(n: number): string {
  return `${(n * 100).toFixed(1)}%`;
}

export function describeScore(label: string, s: Score): string {
  return `${label}: recall ${pct(s.recall)} (${s.expected - s.missing.length}/${s.expected}), precision ${pct(s.precision)} (${s.found - s.extra.length}/${s.found})`;
}

/** DEPENDS_ON edges as `caller -> callee` by CI name, optionally only those with some evidence. */
export function dependsOnEdges(c: Collected, evidence?: (via: string) => boolean): Set<string> {
  const out = new Set<string>();
  for (const r of c.relations) {
    if (r.type !== 'DEPENDS_ON' || !('name' in r.from) || !('name' in r.to)) continue;
    const via = (r.attributes?.via as string[] | undefined) ?? [];
    if (evidence && !via.some(evidence)) continue;
    out.add(`${r.from.name} -> ${r.to.name}`);
  }
  return out;
}

/** Assert a set equals its answer key, printing recall and precision (the figures the issue asks for). */
export function expectMatchesKey(label: string, expected: Set<string>, actual: Iterable<string>): Score {
  const s = score(new Set(actual), expected);
  console.log(describeScore(label, s));
  expect({ missing: s.missing, extra: s.extra }).toEqual({ missing: [], extra: [] });
  return s;
}

/** What a collector returns must be a batch the ingest API accepts as is. */
export async function expectValidBatch(source: string, collected: { scope: string; cis: unknown[]; relations: unknown[] }): Promise<void> {
  const { IngestBatch } = await import('../../server/model/ingest.ts');
  const parsed = IngestBatch.safeParse({ source, scope: collected.scope, cis: collected.cis, relations: collected.relations });
  expect(parsed.success ? [] : parsed.error.issues.slice(0, 3)).toEqual([]);
}
