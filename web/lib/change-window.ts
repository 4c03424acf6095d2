/**
 * The window a new change is planned for, as its form offers it: one of the next two nights from 22:00 for a
 * number of hours, or exact times. Pure: `now` is given, and dates are the browser's local time (the zone the
 * form names), so "tonight 22:00" is 22:00 where the person planning stands.
 */
export type WindowChoice = 'night-1' | 'night-2' | 'exact';
export const NIGHT_START_HOUR = 22;
export const DURATIONS_H = [1, 2, 4, 8] as const;
export const DEFAULT_DURATION_H = 2;

export interface NightPreset { choice: Exclude<WindowChoice, 'exact'>; label: string; start: Date }

const WEEKDAY = new Intl.DateTimeFormat('en-GB', { weekday: 'long' });
const sameDay = (a: Date, b: Date) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
const dayAfter = (d: Date, days: number) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + days);

/**
 * The next two nights whose 22:00 is still ahead, named as the person would say them: "Tonight", "Tomorrow night",
 * else the weekday ("Wednesday night"). After 22:00 tonight's has begun: a window is planned ahead, not backdated,
 * so the first is tomorrow's and says so.
 */
export function nightPresets(now: Date): [NightPreset, NightPreset] {
  let first = new Date(now.getFullYear(), now.getMonth(), now.getDate(), NIGHT_START_HOUR, 0);
  if (first.getTime() <= now.getTime()) first = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, NIGHT_START_HOUR, 0);
  const second = new Date(first.getFullYear(), first.getMonth(), first.getDate() + 1, NIGHT_START_HOUR, 0);
  const label = (start: Date) => sameDay(start, now) ? 'Tonight' : sameDay(start, dayAfter(now, 1)) ? 'Tomorrow night' : `${WEEKDAY.format(start)} night`;
  return [{ choice: 'night-1', label: label(first), start: first }, { choice: 'night-2', label: label(second), start: second }];
}

/** The window of a night preset: from its 22:00 for `hours` of elapsed time (a night that changes the clock lasts as long). */
export function presetWindow(now: Date, choice: Exclude<WindowChoice, 'exact'>, hours: number): { start: Date; end: Date } {
  const { start } = nightPresets(now)[choice === 'night-1' ? 0 : 1];
  return { start, end: new Date(start.getTime() + hours * 3600_000) };
}

/** The window a choice stands for: a night preset's at `now`, else the exact times typed (datetime-local values). */
export function chosenWindow(now: Date, when: WindowChoice, hours: number, start: string, end: string): { start: Date; end: Date } {
  return when === 'exact' ? { start: new Date(start), end: new Date(end) } : presetWindow(now, when, hours);
}
