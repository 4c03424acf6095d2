import { describe, expect, it } from 'vitest';
import { chosenWindow, nightPresets, presetWindow } from '../../web/lib/change-window.ts';

// Local times: these hold in whatever zone the tests run (the form works in the browser's).
const at = (y: number, mo: number, d: number, h = 0, mi = 0) => new Date(y, mo - 1, d, h, mi);
const parts = (d: Date) => [d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()];

describe('the window presets of a new change', () => {
  it('offers tonight and tomorrow night from 22:00 while tonight is still ahead', () => {
    const [first, second] = nightPresets(at(2026, 12, 7, 9, 30));
    expect([first.choice, first.label, ...parts(first.start)]).toEqual(['night-1', 'Tonight', 12, 7, 22, 0]);
    expect([second.choice, second.label, ...parts(second.start)]).toEqual(['night-2', 'Tomorrow night', 12, 8, 22, 0]);
  });

  it('after 22:00 offers the next two nights and names them so: a window is planned ahead, not backdated', () => {
    // Monday 7 December 2026, 23:10.
    const [first, second] = nightPresets(at(2026, 12, 7, 23, 10));
    expect([first.label, ...parts(first.start)]).toEqual(['Tomorrow night', 12, 8, 22, 0]);
    expect([second.label, ...parts(second.start)]).toEqual(['Wednesday night', 12, 9, 22, 0]);
    expect(nightPresets(at(2026, 12, 7, 22, 0))[0].label).toBe('Tomorrow night');
  });

  it('lasts the chosen hours from 22:00, into the next day and across a month and a year', () => {
    const w = presetWindow(at(2026, 12, 31, 9), 'night-1', 2);
    expect(parts(w.start)).toEqual([12, 31, 22, 0]);
    expect([w.end.getFullYear(), ...parts(w.end)]).toEqual([2027, 1, 1, 0, 0]);
    const long = presetWindow(at(2026, 12, 7, 9), 'night-2', 8);
    expect(parts(long.start)).toEqual([12, 8, 22, 0]);
    expect(long.end.getTime() - long.start.getTime()).toBe(8 * 3600_000);
  });

  it('stands for the exact times typed, or for the preset at the instant it is asked', () => {
    const exact = chosenWindow(at(2026, 12, 7, 9), 'exact', 2, '2026-12-09T01:00', '2026-12-09T03:30');
    expect([...parts(exact.start), ...parts(exact.end)]).toEqual([12, 9, 1, 0, 12, 9, 3, 30]);
    expect(chosenWindow(at(2026, 12, 7, 23), 'night-1', 1, '', '')).toEqual(presetWindow(at(2026, 12, 7, 23), 'night-1', 1));
  });
});
