import { describe, expect, it } from 'vitest';
import { layeredPositions } from '../../web/lib/graph/layered.ts';

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
