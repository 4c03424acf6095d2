import { describe, expect, it } from 'vitest';
import { INCIDENT_STATUSES, beforeWindowNote, decisionsOffered, zoneLabel, listParam, moveLabel, parseChangeDraft, toLocalInput } from '../../web/lib/records.ts';

describe('the words and shapes of incident and change pages', () => {
  it('offers each workflow move as the button a person expects', () => {
    expect(moveLabel('investigating', 'open')).toBe('Investigate');
    expect(moveLabel('investigating', 'resolved')).toBe('Reopen');
    // Not 'Start': the schedule beside it has a Start field, and this starts the work now.
    expect(moveLabel('in-progress', 'approved')).toBe('Start the work now');
    expect(moveLabel('cancelled', 'planned')).toBe('Cancel change');
  });

  it('offers a team only the decisions the change still takes: none when the server says it takes none, the other one once it decided', () => {
    expect(decisionsOffered({ takesApprovals: true }, null)).toEqual(['approve', 'reject']);
    expect(decisionsOffered({ takesApprovals: true }, 'approve')).toEqual(['reject']);
    expect(decisionsOffered({ takesApprovals: true }, 'reject')).toEqual(['approve']);
    expect(decisionsOffered({ takesApprovals: false }, null)).toEqual([]);
  });

  it('names the time zone local times are shown in, with its offset from UTC', () => {
    expect(zoneLabel('Europe/Paris', 60)).toBe('Europe/Paris, UTC+01:00');
    expect(zoneLabel('America/St_Johns', -150)).toBe('America/St_Johns, UTC−02:30');
    expect(zoneLabel('Asia/Kolkata', 330)).toBe('Asia/Kolkata, UTC+05:30');
    expect(zoneLabel('UTC', 0)).toBe('UTC');
    expect(zoneLabel('Etc/UTC', 0)).toBe('UTC');
    expect(zoneLabel('Europe/London', 0)).toBe('Europe/London, UTC+00:00');
    expect(zoneLabel(undefined, 120)).toBe('UTC+02:00');
  });

  it("says how long before its window a change would start, and nothing once the window has opened", () => {
    const now = new Date('2026-12-07T04:00:00Z');
    expect(beforeWindowNote('2026-12-07T22:00:00Z', now)).toBe('its window opens in 18 h');
    expect(beforeWindowNote('2026-12-07T04:45:00Z', now)).toBe('its window opens in 45 min');
    expect(beforeWindowNote('2026-12-10T04:00:00Z', now)).toBe('its window opens in 3 days');
    expect(beforeWindowNote('2026-12-07T04:00:00Z', now)).toBeNull();
    expect(beforeWindowNote('2026-12-07T01:00:00Z', now)).toBeNull();
  });

  it('reads a list filter from the address, dropping what it does not know', () => {
    expect(listParam('open,nonsense,resolved', INCIDENT_STATUSES)).toEqual(['open', 'resolved']);
    expect(listParam(null, INCIDENT_STATUSES)).toEqual([]);
  });

  it('round-trips an instant through a datetime-local field', () => {
    const iso = '2026-12-08T01:00:00.000Z';
    expect(new Date(toLocalInput(iso)).toISOString()).toBe(iso);
  });

  it('reads a change draft back from the tab\'s storage, and nothing from a damaged one', () => {
    const draft = { title: 'Patch payments-db', type: 'normal', implementation: 'rolling', start: '2026-12-05T22:00', end: '2026-12-06T02:00', cis: [{ id: 'ci-1', name: 'payments-db', extra: 1 }] };
    expect(parseChangeDraft(JSON.stringify(draft))).toEqual({ ...draft, when: 'exact', hours: 2, cis: [{ id: 'ci-1', name: 'payments-db' }] });
    // A night preset is kept as one (tonight is tonight again when read back tomorrow), with its duration.
    expect(parseChangeDraft(JSON.stringify({ ...draft, when: 'night-2', hours: 4 }))).toMatchObject({ when: 'night-2', hours: 4 });
    expect(parseChangeDraft(JSON.stringify({ ...draft, when: 'someday', hours: 1000 }))).toMatchObject({ when: 'exact', hours: 2 });
    expect(parseChangeDraft('{not json')).toBeNull();
    expect(parseChangeDraft(JSON.stringify({ title: 3 }))).toBeNull();
    expect(parseChangeDraft(null)).toBeNull();
    expect(parseChangeDraft(JSON.stringify({ ...draft, cis: [{ id: 1 }, null, { id: 'ci-2', name: 'x' }] }))!.cis).toEqual([{ id: 'ci-2', name: 'x' }]);
  });
});
