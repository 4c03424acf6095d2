import { describe, expect, it } from 'vitest';
import { KEPT_LAYOUTS, KeptLayouts, layoutKey } from '../../web/lib/graph/kept-layouts.ts';

/** sessionStorage as a plain map. */
function memory() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => { m.set(k, v); }, m };
}
const nodes = [{ id: 'api', layer: 'software' }, { id: 'db', layer: 'software' }];
const edges = [{ from: 'api', to: 'db' }];
const places = new Map([['api', { x: 10, y: 0 }], ['db', { x: 10, y: 80 }]]);

describe('kept layouts', () => {
  it('give a map laid out before its places again, whatever order its CIs and relations come in', () => {
    const kept = new KeptLayouts(memory());
    kept.put(layoutKey(nodes, edges), places);
    expect(kept.get(layoutKey([...nodes].reverse(), edges), ['db', 'api'])).toEqual(places);
  });

  it('give nothing for another map: a CI more, a relation more, a CI in another layer', () => {
    const kept = new KeptLayouts(memory());
    kept.put(layoutKey(nodes, edges), places);
    expect(kept.get(layoutKey([...nodes, { id: 'cache', layer: 'software' }], edges), ['api', 'db', 'cache'])).toBeNull();
    expect(kept.get(layoutKey(nodes, [...edges, { from: 'db', to: 'api' }]), ['api', 'db'])).toBeNull();
    expect(kept.get(layoutKey([nodes[0], { id: 'db', layer: 'infrastructure' }], edges), ['api', 'db'])).toBeNull();
  });

  it(`keep the ${KEPT_LAYOUTS} most recent maps, and read past a broken or missing storage`, () => {
    const storage = memory();
    const kept = new KeptLayouts(storage);
    for (let i = 0; i <= KEPT_LAYOUTS; i++) kept.put(layoutKey([{ id: `n${i}`, layer: 'software' }], []), new Map([[`n${i}`, { x: i, y: 0 }]]));
    expect(kept.get(layoutKey([{ id: 'n0', layer: 'software' }], []), ['n0'])).toBeNull();
    expect(kept.get(layoutKey([{ id: `n${KEPT_LAYOUTS}`, layer: 'software' }], []), [`n${KEPT_LAYOUTS}`])).toEqual(new Map([[`n${KEPT_LAYOUTS}`, { x: KEPT_LAYOUTS, y: 0 }]]));
    storage.m.set('servicegraph.kept-layouts', '{not json');
    expect(new KeptLayouts(storage).get(layoutKey(nodes, edges), ['api', 'db'])).toBeNull();
    const none = new KeptLayouts(null);
    none.put(layoutKey(nodes, edges), places);
    expect(none.get(layoutKey(nodes, edges), ['api', 'db'])).toBeNull();
  });
});
