/**
 * Instants and windows said one way on every page: in the user's locale and time zone, by the day a person would
 * name ("tonight 22:00 – 23:30 (1 h 30 min)", "in 6 h"), with the absolute date for hover and print. Pure: `now` is
 * given, and the locale and zone default to the browser's (tests pass their own).
 */
export interface Zone { locale?: string; timeZone?: string }

const DAY_MS = 86_400_000;
/** An evening start is "tonight", "tomorrow night": a change manager's night window. */
const EVENING_HOUR = 18;

const formats = new Map<string, Intl.DateTimeFormat>();
function format(z: Zone, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${z.locale ?? ''}|${z.timeZone ?? ''}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) formats.set(key, f = new Intl.DateTimeFormat(z.locale, { ...options, ...(z.timeZone ? { timeZone: z.timeZone } : {}) }));
  return f;
}

/** The wall clock of an instant in the zone: its calendar day (as a day number) and hour. */
function wall(d: Date, z: Zone): { day: number; year: number; hour: number } {
  const p = Object.fromEntries(format(z, { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', hourCycle: 'h23' })
    .formatToParts(d).map((x) => [x.type, Number(x.value)]));
  return { day: Date.UTC(p.year, p.month - 1, p.day) / DAY_MS, year: p.year, hour: p.hour };
}

/** "22:00", or "10:00 PM" where the locale says so (a 12-hour clock's hour unpadded, as it is written: "4:00 PM"). */
const hourStyle = (z: Zone) => /^h1[12]$/.test(format(z, { hour: 'numeric' }).resolvedOptions().hourCycle ?? '') ? 'numeric' : '2-digit';
export const clockTime = (d: Date, z: Zone = {}) => format(z, { hour: hourStyle(z), minute: '2-digit' }).format(d);

/** A calendar date without its time: "Mon 14 Dec", with its year when it is not this year's. */
function dateOnly(d: Date, now: Date, z: Zone): string {
  const year = wall(d, z).year !== wall(now, z).year;
  return format(z, { weekday: 'short', day: 'numeric', month: 'short', ...(year ? { year: 'numeric' } : {}) }).format(d);
}

/**
 * The day of an instant as a person names it from `now`: "today" ("tonight" for an evening ahead), "tomorrow"
 * ("tomorrow night"), "yesterday", the weekday within the coming week, else the date.
 */
export function dayWord(d: Date, now: Date, z: Zone = {}): string {
  const w = wall(d, z), days = w.day - wall(now, z).day;
  const evening = w.hour >= EVENING_HOUR && d.getTime() > now.getTime();
  if (days === 0) return evening ? 'tonight' : 'today';
  if (days === 1) return evening ? 'tomorrow night' : 'tomorrow';
  if (days === -1) return 'yesterday';
  if (days > 1 && days < 7) return format(z, { weekday: 'long' }).format(d) + (evening ? ' night' : '');
  return dateOnly(d, now, z);
}

/** An instant as a day and a time: "today 12:22", "yesterday 09:10", "Mon 30 Nov 12:22". */
export const instantWords = (d: Date, now: Date, z: Zone = {}) => `${dayWord(d, now, z)} ${clockTime(d, z)}`;

/** A length of time: "45 min", "1 h 30 min", "2 h". */
export function lengthWords(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes % 60 ? (minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`) : `${minutes / 60} h`;
}

/** How far off a moment is, roughly: "25 min", "6 h", "3 days". */
function distance(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} days`;
}

/** A window against now: "in 6 h", "under way, 40 min left", "ended 2 days ago". */
export function windowFromNow(start: Date, end: Date, now: Date): string {
  const t = now.getTime();
  if (t < start.getTime()) return `in ${distance(start.getTime() - t)}`;
  if (t < end.getTime()) return `under way, ${distance(end.getTime() - t)} left`;
  return `ended ${distance(t - end.getTime())} ago`;
}

/** Invalid or reversed windows say what is wrong instead. */
function windowProblem(start: Date, end: Date): string | null {
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return 'Give a start and an end.';
  if (end.getTime() <= start.getTime()) return 'The end must come after the start.';
  return null;
}

/**
 * A window by the days a person names from `now`: "tonight 22:00 – 23:30 (1 h 30 min)", "tonight 22:00 – tomorrow
 * 02:00 (4 h)", "Mon 14 Dec 22:00 – 23:00 (1 h)"; the end's day only when it is another day than the start's.
 */
export function windowPhrase(start: Date, end: Date, now: Date, z: Zone = {}): string {
  const problem = windowProblem(start, end);
  if (problem) return problem;
  const sameDay = wall(start, z).day === wall(end, z).day;
  const endDay = dayWord(end, now, z).replace(/ night$/, '');
  return `${dayWord(start, now, z)} ${clockTime(start, z)} – ${sameDay ? '' : `${endDay} `}${clockTime(end, z)} (${lengthWords(end.getTime() - start.getTime())})`;
}

/**
 * A window as absolute dates, for a text read later (the CAB's agenda, a ticket) where "tonight" would mislead:
 * "Mon 7 Dec 22:00 – Tue 8 Dec 00:00 (2 h)"; the end's day only when it differs from the start's.
 */
export function windowWords(start: Date, end: Date, z: Zone = {}): string {
  const problem = windowProblem(start, end);
  if (problem) return problem;
  const day = (d: Date) => format(z, { weekday: 'short', day: 'numeric', month: 'short' }).format(d);
  const endText = wall(start, z).day === wall(end, z).day ? clockTime(end, z) : `${day(end)} ${clockTime(end, z)}`;
  return `${day(start)} ${clockTime(start, z)} – ${endText} (${lengthWords(end.getTime() - start.getTime())})`;
}

/** An instant in full, with its year and zone: what hovering a relative time, or printing it, shows. */
export const absoluteWords = (d: Date, z: Zone = {}) =>
  format(z, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: hourStyle(z), minute: '2-digit', timeZoneName: 'short' }).format(d);

/** A window in full: both ends with their year and zone. */
export const absoluteWindow = (start: Date, end: Date, z: Zone = {}) =>
  windowProblem(start, end) ?? `${absoluteWords(start, z)} – ${absoluteWords(end, z)}`;

/** The first letter up, for a phrase that starts a line. */
export const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
