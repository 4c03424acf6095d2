import { describe, expect, it } from 'vitest';
import { discoveryEnd } from '../../../server/domain/root-cause/discovery.ts';

const MIN = 60_000;
const burst = (start: number, n: number, stepMs: number) => Array.from({ length: n }, (_, i) => start + i * stepMs);

describe("a look-back window that holds the estate's discovery", () => {
  it('is one where more than half of the CIs known now first appeared', () => {
    expect(discoveryEnd(burst(0, 1_501, 10), 3_000)).not.toBeNull();
    expect(discoveryEnd(burst(0, 1_500, 10), 3_000)).toBeNull();
    expect(discoveryEnd([5], 3_000)).toBeNull();
    expect(discoveryEnd([], 0)).toBeNull();
  });

  it('ends at the first long pause after the bulk of the appearances, so that what appeared later counts again', () => {
    const load = burst(1_000, 2_990, 20);
    const end = load[load.length - 1];
    // A collector's later additions, an hour after the load: changes, not discovery.
    expect(discoveryEnd([...load, end + 60 * MIN, end + 61 * MIN], 3_000)).toBe(end);
    // Batches a few minutes apart are still one discovery.
    expect(discoveryEnd([...load, end + 4 * MIN, end + 8 * MIN], 3_000)).toBe(end + 8 * MIN);
    // A few stragglers before the bulk do not cut it short, whatever the order they come in.
    expect(discoveryEnd([end + 60 * MIN, 0, ...load.reverse()], 3_000)).toBe(end);
  });

  it("takes in the relations of the sweep's last batches, which come after its last CI, and not those added later", () => {
    const load = burst(1_000, 2_990, 20);
    const end = load[load.length - 1];
    // The sweep's relation-only batches, milliseconds after its last CI: still the discovery.
    expect(discoveryEnd(load, 3_000, undefined, [end + 15, end + 30])).toBe(end + 30);
    // A relation a collector added an hour later is a change.
    expect(discoveryEnd(load, 3_000, undefined, [end + 15, end + 60 * MIN])).toBe(end + 15);
    // Relations alone never make a discovery: the CIs decide whether the window holds one.
    expect(discoveryEnd(burst(0, 1_500, 10), 3_000, undefined, burst(0, 5_000, 1))).toBeNull();
  });
});
