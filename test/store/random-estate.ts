import type { seededRandom } from '../../server/demo/random.ts';

const svc = (name: string, extra: object = {}) => ({ class: 'service' as const, name, environment: 'prod', ...extra });
const ref = (name: string) => ({ class: 'service' as const, name, environment: 'prod' });

/**
 * A collector's estate for the stores' randomised equivalence tests: `count` batches of `size` CIs (name -> attribute
 * revision) with three relations within each, changing a little between runs (a CI edited, moved to another batch,
 * added or dropped, or nothing) as the seeded `r` decides.
 */
export function randomEstate(r: ReturnType<typeof seededRandom>, count: number, size: number) {
  const batches = Array.from({ length: count }, (_, b) => ({ cis: new Map(Array.from({ length: size }, (_, i) => [`s${b}-${i}`, 0])), rels: [] as [string, string][] }));
  for (const b of batches) { const names = [...b.cis.keys()]; b.rels.push([names[0], names[1]], [names[2], names[3]], [names[1], names[4]]); }
  let made = 100;
  return {
    batches,
    /** Batch `i`'s CIs and the relations among those it still holds. */
    body: (i: number) => {
      const b = batches[i];
      return {
        cis: [...b.cis].map(([name, rev]) => svc(name, rev ? { attributes: { rev } } : {})),
        relations: b.rels.filter(([f, t]) => b.cis.has(f) && b.cis.has(t)).map(([f, t]) => ({ type: 'DEPENDS_ON' as const, from: ref(f), to: ref(t) })),
      };
    },
    /** The change before run `run`. */
    change: (run: number) => {
      const roll = r.int(0, 5);
      const pick = batches[r.int(0, count - 1)];
      const names = [...pick.cis.keys()];
      if (roll === 0 && names.length) pick.cis.set(r.pick(names), run);
      if (roll === 1 && names.length > 2) { const n = r.pick(names); const rev = pick.cis.get(n)!; pick.cis.delete(n); batches[r.int(0, count - 1)].cis.set(n, rev); }
      if (roll === 2) pick.cis.set(`n${made++}`, 0);
      if (roll === 3 && names.length > 3) pick.cis.delete(r.pick(names));
    },
    /** Every CI name the estate holds now. */
    names: () => batches.flatMap((b) => [...b.cis.keys()]),
  };
}
