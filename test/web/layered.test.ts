import { describe, expect, it } from 'vitest';
import { fitRowsToViewport, layeredPositions } from '../../web/lib/graph/layered.ts';

describe('fast layered placement', () => {
  it('puts business on top and infrastructure below, whatever the input order', () => {
    const pos = layeredPositions(
      [{ id: 'host', layer: 'infrastructure' }, { id: 'pod', layer: 'platform' }, { id: 'svc', layer: 'software' }, { id: 'app', layer: 'application' }, { id: 'biz', layer: 'business' }],
      [],
    );
    const ys = ['biz', 'app', 'svc', 'pod', 'host'].map((id) => pos.get(id)!.y);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    expect(new Set(ys).size).toBe(5);
  });

  it('orders a row by its neighbours so that edges between rows do not cross', () => {
    // a1 -> b2 and a2 -> b1: the sweeps should place b2 under a1 and b1 under a2.
    const pos = layeredPositions(
      [{ id: 'a1', layer: 'business' }, { id: 'a2', layer: 'business' }, { id: 'b1', layer: 'application' }, { id: 'b2', layer: 'application' }],
      [{ source: 'a1', target: 'b2' }, { source: 'a2', target: 'b1' }],
    );
    const left = (a: string, b: string) => pos.get(a)!.x < pos.get(b)!.x;
    expect(left('a1', 'a2')).toBe(left('b2', 'b1'));
  });

  it('wraps a wide layer onto sub-rows that stay above the next layer', () => {
    const pods = Array.from({ length: 50 }, (_, i) => ({ id: `p${i}`, layer: 'platform' }));
    const pos = layeredPositions([...pods, { id: 'h', layer: 'infrastructure' }], [], { maxPerRow: 10 });
    const podYs = new Set(pods.map((p) => pos.get(p.id)!.y));
    expect(podYs.size).toBe(5);
    expect(Math.max(...podYs)).toBeLessThan(pos.get('h')!.y);
    // No two nodes share a spot.
    expect(new Set([...pos.values()].map((p) => `${p.x},${p.y}`)).size).toBe(51);
  });
});

describe('fitting a layered layout to the viewport', () => {
  const row = (n: number, y: number, prefix: string) => Array.from({ length: n }, (_, i) => [`${prefix}${i}`, { x: i * 125, y }] as const);

  it('wraps a row forty CIs wide into sub-rows so the map fits a landscape screen, keeping its order', () => {
    const pos = new Map([...row(2, 0, 'a'), ...row(40, 100, 'b'), ...row(3, 200, 'c')]);
    const out = fitRowsToViewport(pos, { width: 800, height: 600, spacingX: 125, spacingY: 60, rowGap: 30 });
    const xs = [...out.values()].map((p) => p.x), ys = [...out.values()].map((p) => p.y);
    const w = Math.max(...xs) - Math.min(...xs), h = Math.max(...ys) - Math.min(...ys);
    // Close to the screen's proportions instead of 40:2.
    expect(w / h).toBeLessThan(3);
    expect(w / h).toBeGreaterThan(0.5);
    // Rows stay in order, top to bottom; within a sub-row, left to right as before.
    expect(Math.max(out.get('a0')!.y, out.get('a1')!.y)).toBeLessThan(Math.min(...row(40, 0, 'b').map(([id]) => out.get(id)!.y)));
    expect(Math.max(...row(40, 0, 'b').map(([id]) => out.get(id)!.y))).toBeLessThan(out.get('c0')!.y);
    expect(out.get('b0')!.x).toBeLessThan(out.get('b1')!.x);
  });

  it('leaves a layout that already fits as one row per row', () => {
    const pos = new Map([...row(3, 0, 'a'), ...row(4, 100, 'b')]);
    const out = fitRowsToViewport(pos, { width: 1000, height: 300, spacingX: 125, spacingY: 60, rowGap: 30 });
    expect(new Set(row(4, 0, 'b').map(([id]) => out.get(id)!.y)).size).toBe(1);
  });
});

describe('fitting a tall layered layout', () => {
  it('lets the rows of one band share rows when the layout runs too tall', () => {
    // Twelve rows of one node each, all of one band: one column, as ELK lays out a chain.
    const pos = new Map(Array.from({ length: 12 }, (_, i) => [`s${i}`, { x: 0, y: i * 100 }] as const));
    const out = fitRowsToViewport(pos, { width: 800, height: 400, spacingX: 125, spacingY: 60, rowGap: 30 }, () => 2);
    expect(new Set([...out.values()].map((p) => p.y)).size).toBeLessThan(6);
    // Reading order is kept: s0 before s1 on its row or above it.
    const at = (id: string) => out.get(id)!;
    expect(at('s0').y < at('s1').y || at('s0').x < at('s1').x).toBe(true);
  });
});
