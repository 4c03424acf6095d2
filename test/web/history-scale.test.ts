import { describe, expect, it } from 'vitest';
import { agoText, msBack, RANGE_MS, stepFor, STEPS } from '../../web/lib/history-scale.ts';

const MIN = 60_000, H = 60 * MIN, DAY = 24 * H;

describe('the history slider scale', () => {
  it('runs from live to a month back, a minute at its first step', () => {
    expect(msBack(0)).toBe(0);
    expect(msBack(1)).toBe(MIN);
    expect(msBack(STEPS)).toBe(RANGE_MS);
  });

  it('is fine near now and coarse far back', () => {
    const stepAt = (ms: number) => msBack(stepFor(ms) + 1) - msBack(stepFor(ms));
    expect(stepAt(10 * MIN)).toBeLessThan(MIN);
    expect(stepAt(20 * DAY)).toBeGreaterThan(H);
  });

  it('finds the step of a time back within one step of it, and clamps outside the range', () => {
    for (const ms of [MIN, 5 * MIN, H, DAY, 7 * DAY, RANGE_MS]) {
      const s = stepFor(ms);
      expect(Math.abs(msBack(s) - ms) / ms).toBeLessThan(0.02);
    }
    expect(stepFor(10_000)).toBe(0);
    expect(stepFor(2 * RANGE_MS)).toBe(STEPS);
  });

  it('says how long ago in words a person reads', () => {
    expect(agoText(5 * MIN)).toBe('5 min ago');
    expect(agoText(5 * H)).toBe('5 h ago');
    expect(agoText(3 * DAY)).toBe('3 days ago');
  });
});
