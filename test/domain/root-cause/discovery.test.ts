import { describe, expect, it } from 'vitest';
import { discoveryEnd, discoveryEndOf } from '../../../server/domain/root-cause/discovery.ts';
import type { CiRecord, DiffResult, RelationRecord } from '../../../server/model/records.ts';

const MIN = 60_000;
/** CIs first seen at these instants, none edited since. */
const firstSeen = (ciFirstSightings: number[], relationFirstSightings: number[] = []) => ({ cis: ciFirstSightings.length, ciFirstSightings, relationFirstSightings });
const burst = (start: number, n: number, stepMs: number) => Array.from({ length: n }, (_, i) => start + i * stepMs);

describe("a look-back window that holds the estate's discovery", () => {
  it('is one where more than half of the CIs known now first appeared', () => {
    expect(discoveryEnd(firstSeen(burst(0, 1_501, 10)), 3_000)).not.toBeNull();
    expect(discoveryEnd(firstSeen(burst(0, 1_500, 10)), 3_000)).toBeNull();
    expect(discoveryEnd(firstSeen([5]), 3_000)).toBeNull();
    expect(discoveryEnd(firstSeen([]), 0)).toBeNull();
  });

  it('ends at the first long pause after the bulk of the appearances, so that what appeared later counts again', () => {
    const load = burst(1_000, 2_990, 20);
    const end = load[load.length - 1];
    // A collector's later additions, an hour after the load: changes, not discovery.
    expect(discoveryEnd(firstSeen([...load, end + 60 * MIN, end + 61 * MIN]), 3_000)).toBe(end);
    // Batches a few minutes apart are still one discovery.
    expect(discoveryEnd(firstSeen([...load, end + 4 * MIN, end + 8 * MIN]), 3_000)).toBe(end + 8 * MIN);
    // A few stragglers before the bulk do not cut it short, whatever the order they come in.
    expect(discoveryEnd(firstSeen([end + 60 * MIN, 0, ...load.reverse()]), 3_000)).toBe(end);
  });

  it("takes in the relations of the sweep's last batches, which come after its last CI, and not those added later", () => {
    const load = burst(1_000, 2_990, 20);
    const end = load[load.length - 1];
    // The sweep's relation-only batches, milliseconds after its last CI: still the discovery.
    expect(discoveryEnd(firstSeen(load, [end + 15, end + 30]), 3_000)).toBe(end + 30);
    // A relation a collector added an hour later is a change.
    expect(discoveryEnd(firstSeen(load, [end + 15, end + 60 * MIN]), 3_000)).toBe(end + 15);
    // Relations alone never make a discovery: the CIs decide whether the window holds one.
    expect(discoveryEnd(firstSeen(burst(0, 1_500, 10), burst(0, 5_000, 1)), 3_000)).toBeNull();
  });

  describe('read from a diff of the window', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const ci = (i: number, at: number, version = 1) => ({ id: `ci${i}`, class: 'service', name: `s${i}`, environment: 'production', tier: 2, owner: null, lifecycle: 'active', attributes: {}, identifiers: {}, version, validFrom: iso(at), validTo: null }) satisfies CiRecord;
    const rel = (i: number, at: number, version = 1) => ({ id: `r${i}`, type: 'DEPENDS_ON', from: `ci${i}`, to: `ci${i + 1}`, attributes: {}, redundancy: null, provenance: [], observed: null, version, validFrom: iso(at), validTo: null }) satisfies RelationRecord;
    const diff = (cis: CiRecord[], relations: RelationRecord[] = []): DiffResult => ({ from: iso(0), to: iso(10 * 60 * MIN), cis: { added: cis, removed: [], changed: [] }, relations: { added: relations, removed: [], changed: [] }, truncated: false });
    const load = burst(1_000, 90, 20);
    const end = load[load.length - 1];

    it('ends with the load, however often CIs loaded with it were edited since', () => {
      // A collector re-syncing an attribute every 6 minutes after the load: each edited CI carries its last
      // edit's instant. Those are not appearances; as such they chained the burst up to the last re-sync.
      const edits = [6, 12, 18, 24, 30].map((m, k) => ci(k, end + m * MIN, 2 + k));
      const loaded = load.slice(edits.length).map((at, k) => ci(k + edits.length, at));
      // A dependency that appeared 35 minutes after the load, 5 minutes after the last re-sync: a change.
      expect(discoveryEndOf(diff([...loaded, ...edits], [rel(1, end + 5), rel(2, end + 35 * MIN)]), 100)).toBe(end + 5);
    });

    it('still counts a CI edited since among those that appeared in the window', () => {
      // 51 of 100 CIs appeared in the window, one of them edited later: the window holds the discovery.
      const cis = burst(1_000, 51, 20).map((at, k) => ci(k, at, k === 0 ? 2 : 1));
      expect(discoveryEndOf(diff(cis), 100)).toBe(1_000 + 50 * 20);
      expect(discoveryEndOf(diff(cis.slice(1)), 100)).toBeNull();
    });
  });
});
