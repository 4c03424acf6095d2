import { describe, expect, it } from 'vitest';
import { Reassessor } from '../../server/impact/reassessor.ts';
import type { ChangeFeed } from '../../server/live/change-feed.ts';
import type { IncidentService } from '../../server/impact/incident-service.ts';
import type { ChangeService } from '../../server/impact/change-service.ts';
import type { ChangeEvent } from '../../server/model/records.ts';

/**
 * The re-assessor's reading of events, over incidents whose footprints are given (no store, no impact): which
 * records a large event marks, in which order, and that it reads it a turn at a time.
 */
function setup(footprints: Map<string, Set<string>>) {
  let listener: ((e: ChangeEvent) => unknown) | null = null;
  const feed = { subscribe: (fn: (e: ChangeEvent) => unknown) => { listener = fn; return () => { listener = null; }; } } as unknown as ChangeFeed;
  const refreshed: string[] = [];
  const incidents = {
    activeIds: async () => [...footprints.keys()],
    refresh: async (id: string) => { refreshed.push(id); return true; },
    footprint: async (id: string) => footprints.get(id) ?? null,
  } as unknown as IncidentService;
  const changes = { openChanges: async () => [], reassess: async () => true, footprint: async () => null } as unknown as ChangeService;
  const reassessor = new Reassessor({ feed, incidents, changes, debounceMs: 1 });
  const settled = async () => { await reassessor.caughtUp(); while (reassessor.status.pending || reassessor.status.running) await new Promise((r) => setTimeout(r, 2)); };
  return { reassessor, refreshed, settled, deliver: (e: ChangeEvent) => listener!(e) };
}

const ciChange = (id: string) => ({ kind: 'ci.updated', ci: { id } }) as unknown as ChangeEvent['changes'][number];
const relationChange = (from: string, to: string) => ({ kind: 'relation.created', relation: { from, to } }) as unknown as ChangeEvent['changes'][number];
const event = (seq: number, changes: ChangeEvent['changes']): ChangeEvent => ({ seq, at: '2026-01-01T00:00:00.000Z', source: 'test', changes });

/** What the re-assessor marked before it read in turns: every record whose footprint has a touched CI, in footprint order. */
function expected(footprints: Map<string, Set<string>>, changes: ChangeEvent['changes']): string[] {
  const touched = new Set(changes.flatMap((c) => [c.ci?.id, c.relation?.from, c.relation?.to].filter((x): x is string => !!x)));
  return [...footprints].filter(([, fp]) => [...touched].some((id) => fp.has(id))).map(([k]) => k);
}

describe('Reassessor reading change events', () => {
  it('marks exactly the records a 50k-CI event touches, reading it over several turns', async () => {
    // 40 open incidents: small footprints, and a few as large as a hub's blast radius.
    const footprints = new Map<string, Set<string>>();
    for (let r = 0; r < 40; r++) {
      const size = r % 10 === 0 ? 60_000 : 50 + r;
      footprints.set(`inc-${r}`, new Set(Array.from({ length: size }, (_, i) => `ci-${r * 7_919 + i * (r + 3)}`)));
    }
    const { reassessor, refreshed, settled, deliver } = setup(footprints);
    await reassessor.start();
    await settled();
    refreshed.length = 0;

    const changes = [
      ...Array.from({ length: 50_000 }, (_, i) => ciChange(`ci-${1_000_000 + i}`)),
      ...Array.from({ length: 50_000 }, (_, i) => relationChange(`ci-${1_000_000 + i}`, `ci-${2_000_000 + i}`)),
      ciChange('ci-150'), relationChange('ci-999999', `ci-${13 * 7_919 + 5 * 16}`),
    ];
    // More than one turn's work: the rest goes on in later turns (a promise).
    const out = reassessor.onEvent(event(1, changes));
    expect(out).toBeInstanceOf(Promise);
    await out;
    await settled();
    const want = expected(footprints, changes);
    // Large footprints (walked from the touched side) and small ones (walked from theirs) both.
    expect(want).toEqual(['inc-0', 'inc-13', 'inc-20', 'inc-30']);
    expect(refreshed).toEqual(want);
    reassessor.stop();
  });

  it('reads a small event in the turn it arrives, and events one after another in the feed order', async () => {
    const footprints = new Map([['a', new Set(['x1'])], ['b', new Set(['y1'])], ['c', new Set(['z1'])]]);
    const { reassessor, refreshed, settled, deliver } = setup(footprints);
    await reassessor.start();
    await settled();
    refreshed.length = 0;
    expect(reassessor.onEvent(event(1, [ciChange('nothing')]))).toBeUndefined();
    // A large event touching c (last change), then at once a small one touching a: c is marked first.
    deliver(event(2, [...Array.from({ length: 200_000 }, (_, i) => ciChange(`n${i}`)), ciChange('z1')]));
    deliver(event(3, [ciChange('x1')]));
    await new Promise((r) => setTimeout(r, 0));
    await settled();
    expect(refreshed).toEqual(['c', 'a']);
    // Its own writes (the workflow source) are not reacted to.
    refreshed.length = 0;
    deliver({ ...event(4, [ciChange('y1')]), source: 'workflow' });
    await new Promise((r) => setTimeout(r, 20));
    await settled();
    expect(refreshed).toEqual([]);
    reassessor.stop();
  });
});
