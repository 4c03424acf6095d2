import { describe, expect, it } from 'vitest';
import { NO_GROUP } from '../../server/domain/impact/graph.ts';
import { RedundancyGroups } from '../../server/topology/redundancy-groups.ts';

describe('redundancy groups', () => {
  it('gives a dependent one group per name, and no group without redundancy', () => {
    const groups = new RedundancyGroups();
    const db = groups.groupFor(7, { group: 'db-pool', minUp: 1 });
    const cache = groups.groupFor(7, { group: 'cache', minUp: '50%' });
    expect(cache).not.toBe(db);
    expect(groups.groupFor(7, { group: 'db-pool', minUp: 1 })).toBe(db);
    expect(groups.groupFor(7, { group: 'cache', minUp: '50%' })).toBe(cache);
    // The same name under another dependent is another group: groups are per dependent.
    expect(groups.groupFor(8, { group: 'db-pool', minUp: 1 })).not.toBe(db);
    expect(groups.groupFor(7, null)).toBe(NO_GROUP);
    expect(groups.count).toBe(3);
    expect([groups.name(db), groups.name(cache)]).toEqual(['db-pool', 'cache']);
  });

  it('answers requiredUp from the size and the latest minUp, refreshed after each change', () => {
    const groups = new RedundancyGroups();
    const g = groups.groupFor(0, { group: 'web', minUp: '50%' });
    for (let i = 0; i < 5; i++) groups.resize(g, 1);
    expect(groups.size(g)).toBe(5);
    expect(groups.requiredUp(g)).toBe(3);
    groups.resize(g, -1);
    expect(groups.requiredUp(g)).toBe(2);
    // Members should agree on minUp; the one read last wins.
    groups.groupFor(0, { group: 'web', minUp: 4 });
    expect(groups.requiredUp(g)).toBe(4);
    groups.groupFor(0, { group: 'web', minUp: 9 });
    expect(groups.requiredUp(g)).toBe(4);
  });

  it('hands each changed group to the refresh once, then none until the next change', () => {
    const groups = new RedundancyGroups();
    const a = groups.groupFor(1, { group: 'a', minUp: 1 });
    const b = groups.groupFor(2, { group: 'b', minUp: 1 });
    groups.resize(a, 1); groups.resize(a, 1); groups.resize(b, 1);
    const seen: number[] = [];
    groups.takeStale((g) => { seen.push(g); groups.requiredUp(g); });
    expect(seen).toEqual([a, b]);
    expect(groups.hasStale).toBe(false);
    groups.resize(b, 1);
    const again: number[] = [];
    groups.takeStale((g) => again.push(g));
    expect(again).toEqual([b]);
  });

  it('keeps every group, size and dependent as it grows past its first room, reserved or not', () => {
    for (const reserve of [0, 50_000]) {
      const groups = new RedundancyGroups();
      groups.reserveNodes(reserve);
      const want = new Map<string, number>();
      for (let d = 0; d < 30_000; d += 3) {
        for (const name of d % 2 ? ['p', 'q'] : ['p']) {
          const g = groups.groupFor(d, { group: name, minUp: d % 5 });
          groups.resize(g, 1 + (d % 4));
          want.set(`${d}/${name}`, g);
        }
      }
      const wrong = [...want].filter(([key, g]) => {
        const [d, name] = key.split('/');
        return groups.groupFor(Number(d), { group: name, minUp: Number(d) % 5 }) !== g || groups.name(g) !== name || groups.size(g) !== 1 + (Number(d) % 4);
      });
      expect(wrong).toEqual([]);
      expect(groups.count).toBe(want.size);
    }
  });
});
