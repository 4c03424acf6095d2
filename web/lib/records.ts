/** Small shared words and shapes of the incident and change pages (pure). */
import { DEFAULT_DURATION_H, DURATIONS_H, type WindowChoice } from './change-window.ts';

export const INCIDENT_STATUSES = ['open', 'investigating', 'resolved', 'closed'] as const;
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export const CHANGE_STATUSES = ['planned', 'approved', 'in-progress', 'successful', 'failed', 'cancelled'] as const;

/** The button a workflow move is offered as. */
export function moveLabel(to: string, from: string): string {
  if (from === 'resolved' && (to === 'investigating' || to === 'open')) return 'Reopen';
  switch (to) {
    case 'investigating': return 'Investigate';
    case 'resolved': return 'Resolve';
    case 'closed': return 'Close';
    // Not just 'Start': the page's schedule has a field of that name, and this starts the work now, whatever the window says.
    case 'in-progress': return 'Start the work now';
    case 'successful': return 'Completed successfully';
    case 'failed': return 'Failed';
    case 'cancelled': return 'Cancel change';
    default: return to;
  }
}

/**
 * The decisions a team is offered on a change: none when it takes no approvals now (the server says so:
 * `takesApprovals`), and once the team decided only the other one. The page showed both buttons whatever the
 * status, so an approver saw "Approve" again after approving, and on an approved change a click answered 409.
 */
export function decisionsOffered(change: { takesApprovals: boolean }, decided: 'approve' | 'reject' | null | undefined): ('approve' | 'reject')[] {
  return change.takesApprovals ? (['approve', 'reject'] as const).filter((d) => d !== decided) : [];
}

/**
 * Said beside "Start the work now" while the change's window has not opened: starting is allowed (a change may run
 * early), but a person who took the button for scheduling learns it is not.
 */
export function beforeWindowNote(windowStart: string, now: Date): string | null {
  const m = Math.round((Date.parse(windowStart) - now.getTime()) / 60_000);
  if (!(m > 0)) return null;
  return `its window opens in ${m < 120 ? `${m} min` : m < 48 * 60 ? `${Math.round(m / 60)} h` : `${Math.round(m / 1440)} days`}`;
}

/** A comma-separated query value as a list of allowed values (anything else dropped). */
export function listParam<T extends string>(value: string | null, allowed: readonly T[]): T[] {
  return (value ?? '').split(',').filter((v): v is T => (allowed as readonly string[]).includes(v));
}

/**
 * The time zone local times are shown in, said beside them (a change window read in another zone is hours off):
 * its name and its offset from UTC, e.g. "Europe/Paris, UTC+01:00"; plain "UTC" for UTC.
 */
export function zoneLabel(timeZone: string | undefined, offsetMinutes: number): string {
  if (offsetMinutes === 0 && (!timeZone || /^(Etc\/)?(UTC|GMT|Zulu)$|^UCT$/.test(timeZone))) return 'UTC';
  const a = Math.abs(offsetMinutes);
  const offset = `UTC${offsetMinutes < 0 ? '−' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  return timeZone ? `${timeZone}, ${offset}` : offset;
}
/** This browser's zone, as zoneLabel says it (the offset of the instant given: summer time moves it). */
export const browserZone = (at = new Date()) => zoneLabel(Intl.DateTimeFormat().resolvedOptions().timeZone, -at.getTimezoneOffset());
export const localTime = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
/** An ISO instant as the value of a datetime-local input (local time); `new Date(value)` reads it back. */
export const toLocalInput = (iso: string) => { const d = new Date(iso); return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16); };

/** A new change being written: kept in the tab's sessionStorage while the user looks around the app. */
export interface ChangeDraft {
  title: string; type: string; implementation: string;
  /** A night preset is kept as such (it is "tonight" again when the draft is read back tomorrow); exact times in start and end. */
  when: WindowChoice; hours: number; start: string; end: string;
  cis: { id: string; name: string }[];
}
export const CHANGE_DRAFT_KEY = 'servicegraph.change-draft';

/** A draft read back from storage; anything malformed is no draft. */
export function parseChangeDraft(text: string | null): ChangeDraft | null {
  if (!text) return null;
  let d: unknown;
  try { d = JSON.parse(text); } catch { return null; }
  if (typeof d !== 'object' || d === null) return null;
  const o = d as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : null);
  const cis = Array.isArray(o.cis) ? o.cis.filter((c): c is { id: string; name: string } => typeof c?.id === 'string' && typeof c?.name === 'string').slice(0, 500) : [];
  const [title, type, implementation, start, end] = ['title', 'type', 'implementation', 'start', 'end'].map(str);
  if (title === null || type === null || implementation === null || start === null || end === null) return null;
  // Drafts written before the presets had exact times only.
  const when: WindowChoice = o.when === 'night-1' || o.when === 'night-2' ? o.when : 'exact';
  const hours = (DURATIONS_H as readonly unknown[]).includes(o.hours) ? o.hours as number : DEFAULT_DURATION_H;
  return { title, type, implementation, when, hours, start, end, cis: cis.map(({ id, name }) => ({ id, name })) };
}
