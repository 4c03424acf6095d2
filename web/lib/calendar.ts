/** The change calendar's arithmetic, a week at a time (pure: tested without a browser). */
export const DAY_MS = 86_400_000;

/** Monday 00:00 local time of the week holding `t`. */
export function weekStart(t: Date): Date {
  const d = new Date(t.getFullYear(), t.getMonth(), t.getDate());
  const back = (d.getDay() + 6) % 7;
  d.setDate(d.getDate() - back);
  return d;
}

/** The seven days of a week starting at `start`, local midnights (a DST day is 23 or 25 hours). */
export function weekDays(start: Date): Date[] {
  return Array.from({ length: 7 }, (_, i) => new Date(start.getFullYear(), start.getMonth(), start.getDate() + i));
}

/** `yyyy-mm-dd` of a local date, the week's key in the address (`/calendar?week=`). */
export const dayKey = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function parseDayKey(s: string | null): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s ?? '');
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Where a span sits in each day it touches: top and height as shares of the day, one segment per day.
 * Spans outside the week give nothing.
 */
export function segments(span: { start: string; end: string }, days: Date[]): { day: number; top: number; height: number }[] {
  const s = Date.parse(span.start), e = Date.parse(span.end);
  const out: { day: number; top: number; height: number }[] = [];
  days.forEach((d, i) => {
    const from = d.getTime();
    const to = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
    const a = Math.max(s, from), b = Math.min(e, to);
    if (b <= a) return;
    out.push({ day: i, top: (a - from) / (to - from), height: (b - a) / (to - from) });
  });
  return out;
}

/** Side-by-side lanes for overlapping spans of one day, so no block hides another. */
export function lanes<T extends { start: number; end: number }>(items: T[]): { item: T; lane: number; lanes: number }[] {
  const sorted = [...items].sort((a, b) => a.start - b.start || a.end - b.end);
  const laneEnds: number[] = [];
  const placed = sorted.map((item) => {
    let lane = laneEnds.findIndex((end) => end <= item.start);
    if (lane < 0) { lane = laneEnds.length; laneEnds.push(item.end); } else laneEnds[lane] = item.end;
    return { item, lane };
  });
  return placed.map((p) => ({ ...p, lanes: laneEnds.length }));
}
