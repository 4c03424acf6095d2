import { describe, expect, it } from 'vitest';
import { MapRelations } from '../../server/topology/map-relations.ts';

const rel = (id: string, from: number, to: number, type = 'DEPENDS_ON') =>
  ({ id, type, from: `n${from}`, to: `n${to}`, redundancy: null, provenance: ['declared' as const], observed: null });

/** Node n's relations as a map reads them: outgoing, then incoming, each in list order. */
function listed(m: MapRelations, n: number) {
  const out: string[] = [], into: string[] = [];
  for (let s = m.firstOut(n); s >= 0; s = m.nextOut(s)) out.push(m.record(s).id);
  for (let s = m.firstIn(n); s >= 0; s = m.nextIn(s)) into.push(m.record(s).id);
  return { out, into };
}

describe('map relations', () => {
  it("keeps each node's relations in the order they were added, whatever is removed or added later", () => {
    const m = new MapRelations((n) => `n${n}`);
    for (let i = 1; i <= 5; i++) m.upsert(rel(`r${i}`, 0, i), 0, i);
    m.upsert(rel('back', 3, 0), 3, 0);
    m.remove(0, 3, 'DEPENDS_ON');
    m.remove(0, 1, 'DEPENDS_ON');
    m.remove(0, 5, 'DEPENDS_ON');
    m.upsert(rel('r6', 0, 6), 0, 6);
    expect(listed(m, 0)).toEqual({ out: ['r2', 'r4', 'r6'], into: ['back'] });
    expect(listed(m, 3)).toEqual({ out: ['back'], into: [] });
    expect(m.size).toBe(4);
    // A retired node takes all its relations, both ways, a self-loop included, and leaves its neighbours' lists whole.
    m.upsert(rel('self', 0, 0), 0, 0);
    m.removeNode(0);
    for (const n of [0, 2, 3, 4, 6]) expect(listed(m, n)).toEqual({ out: [], into: [] });
    expect(m.size).toBe(0);
    // Freed slots are reused, and a node's lists start again empty.
    m.upsert(rel('again', 2, 4), 2, 4);
    expect(listed(m, 2)).toEqual({ out: ['again'], into: [] });
    expect(m.slotCount).toBe(6);
  });
});
