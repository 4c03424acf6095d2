import { describe, expect, it } from 'vitest';
import { INCIDENT_STATUSES, beforeWindowNote, decisionsOffered, zoneLabel, fromLocalInput, listParam, moveLabel, nightWindow, parseChangeDraft, toLocalInput } from '../../web/lib/records.ts';

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
    expect(fromLocalInput(toLocalInput(iso))).toBe(iso);
  });

  it('plans a night window from 22:00 to 02:00, tonight while it is still ahead, else the next night', () => {
    const evening = new Date(2026, 11, 5, 18, 30);
    const tonight = nightWindow(evening);
    expect([tonight.start.getDate(), tonight.start.getHours(), tonight.end.getDate(), tonight.end.getHours()]).toEqual([5, 22, 6, 2]);
    expect(nightWindow(evening, 1).start.getDate()).toBe(6);
    const late = nightWindow(new Date(2026, 11, 5, 23, 10));
    expect([late.start.getDate(), late.start.getHours()]).toEqual([6, 22]);
    // Across a month's end.
    expect(nightWindow(new Date(2026, 11, 31, 9)).end.getMonth()).toBe(0);
  });

  it('reads a change draft back from the tab\'s storage, and nothing from a damaged one', () => {
    const draft = { title: 'Patch payments-db', type: 'normal', implementation: 'rolling', start: '2026-12-05T22:00', end: '2026-12-06T02:00', cis: [{ id: 'ci-1', name: 'payments-db', extra: 1 }] };
    expect(parseChangeDraft(JSON.stringify(draft))).toEqual({ ...draft, cis: [{ id: 'ci-1', name: 'payments-db' }] });
    expect(parseChangeDraft('{not json')).toBeNull();
    expect(parseChangeDraft(JSON.stringify({ title: 3 }))).toBeNull();
    expect(parseChangeDraft(null)).toBeNull();
    expect(parseChangeDraft(JSON.stringify({ ...draft, cis: [{ id: 1 }, null, { id: 'ci-2', name: 'x' }] }))!.cis).toEqual([{ id: 'ci-2', name: 'x' }]);
  });
});
