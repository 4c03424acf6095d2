import { describe, expect, it } from 'vitest';
import { dayKey, lanes, parseDayKey, segments, weekDays, weekStart } from '../../web/lib/calendar.ts';

describe('the change calendar, a week at a time', () => {
  it('starts a week on Monday at local midnight, whatever the day', () => {
    const sat = new Date(2026, 11, 5, 15, 30);
    expect(dayKey(weekStart(sat))).toBe('2026-11-30');
    expect(dayKey(weekStart(new Date(2026, 10, 30, 0, 0)))).toBe('2026-11-30');
    expect(weekDays(weekStart(sat)).map(dayKey)).toEqual(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06']);
  });

  it('reads the week of the address back, and refuses what is not a day', () => {
    expect(dayKey(parseDayKey('2026-12-07')!)).toBe('2026-12-07');
    expect(parseDayKey('next week')).toBeNull();
    expect(parseDayKey(null)).toBeNull();
  });

  it('cuts a night window into one block per day it touches', () => {
    const days = weekDays(new Date(2026, 11, 7));
    const start = new Date(2026, 11, 8, 22, 0).toISOString(), end = new Date(2026, 11, 9, 2, 0).toISOString();
    const segs = segments({ start, end }, days);
    expect(segs.map((s) => s.day)).toEqual([1, 2]);
    expect(segs[0].top).toBeCloseTo(22 / 24, 2);
    expect(segs[0].height).toBeCloseTo(2 / 24, 2);
    expect(segs[1]).toMatchObject({ top: 0 });
    expect(segs[1].height).toBeCloseTo(2 / 24, 2);
    expect(segments({ start: new Date(2026, 11, 20).toISOString(), end: new Date(2026, 11, 21).toISOString() }, days)).toEqual([]);
  });

  it('puts overlapping changes side by side so none hides another', () => {
    const placed = lanes([{ start: 1, end: 5 }, { start: 2, end: 4 }, { start: 5, end: 6 }]);
    expect(placed.map((p) => p.lane)).toEqual([0, 1, 0]);
    expect(placed.every((p) => p.lanes === 2)).toBe(true);
  });
});
