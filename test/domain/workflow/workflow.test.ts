import { describe, expect, it } from 'vitest';
import { checkTransition, refusalText } from '../../../server/domain/workflow/transitions.ts';
import { approvalStanding, approvalTeams, changeTransitions, fullyApproved, takesApprovals, waitingFor } from '../../../server/domain/workflow/approvals.ts';
import { decodeCursor, encodeCursor, newestFirst } from '../../../server/domain/workflow/paging.ts';
import { INCIDENT_TRANSITIONS } from '../../../server/model/incidents.ts';

describe('workflow transitions', () => {
  it('allows what the table allows, treats the same status as no move, and names the alternatives', () => {
    expect(checkTransition(INCIDENT_TRANSITIONS, 'open', 'investigating')).toEqual({ ok: true, noop: false });
    expect(checkTransition(INCIDENT_TRANSITIONS, 'open', 'open')).toEqual({ ok: true, noop: true });
    expect(checkTransition(INCIDENT_TRANSITIONS, 'open', 'closed')).toEqual({ ok: false, allowed: ['investigating', 'resolved'] });
    expect(checkTransition(INCIDENT_TRANSITIONS, 'closed', 'open')).toEqual({ ok: false, allowed: [] });
    expect(refusalText('incident', 'open', 'closed', ['investigating', 'resolved'])).toBe('an incident cannot go from open to closed: from open it may go to investigating or resolved');
    expect(refusalText('change', 'failed', 'planned', [])).toBe('a change cannot go from failed to planned: failed is final');
  });

  it('a change is never approved by PATCH, and only an emergency one starts before approval', () => {
    expect(changeTransitions({ status: 'planned', type: 'normal' })).toEqual(['cancelled']);
    expect(changeTransitions({ status: 'planned', type: 'emergency' })).toEqual(['in-progress', 'cancelled']);
    expect(changeTransitions({ status: 'approved', type: 'normal' })).toEqual(['in-progress', 'cancelled']);
    expect(changeTransitions({ status: 'in-progress', type: 'standard' })).toEqual(['successful', 'failed', 'cancelled']);
    expect(changeTransitions({ status: 'cancelled', type: 'normal' })).toEqual([]);
  });

  it('approver teams decide while a change is planned; an emergency change also after the fact; a standard or cancelled one never', () => {
    expect(takesApprovals({ status: 'planned', type: 'normal' })).toBe(true);
    for (const status of ['approved', 'in-progress', 'successful', 'failed', 'cancelled'] as const) expect(takesApprovals({ status, type: 'normal' })).toBe(false);
    for (const status of ['planned', 'approved', 'in-progress', 'successful', 'failed'] as const) expect(takesApprovals({ status, type: 'emergency' })).toBe(true);
    expect(takesApprovals({ status: 'cancelled', type: 'emergency' })).toBe(false);
    expect(takesApprovals({ status: 'planned', type: 'standard' })).toBe(false);
  });
});

describe('approvals', () => {
  const svc = (name: string) => ({ id: name, name, tier: 1 });
  it('the approver teams are the owners of the services hit, else of the touched CIs, else change management', () => {
    expect(approvalTeams([{ team: 'payments', services: [svc('pay')] }, { team: '(unowned)', services: [svc('x')] }], ['dba'])).toEqual(['change-management', 'payments']);
    expect(approvalTeams([], ['dba', 'dba', null])).toEqual(['change-management', 'dba']);
    expect(approvalTeams([], [])).toEqual(['change-management']);
  });

  it('a team\'s latest decision counts; the change is approved when every team\'s is approve', () => {
    const a = (team: string, decision: 'approve' | 'reject', at: string) => ({ team, decision, by: `${team} lead`, at });
    const standing = approvalStanding(['dba', 'web'], [a('dba', 'reject', '1'), a('web', 'approve', '2'), a('dba', 'approve', '3'), a('other', 'approve', '4')]);
    expect(standing).toEqual([{ team: 'dba', decision: 'approve', by: 'dba lead', at: '3' }, { team: 'web', decision: 'approve', by: 'web lead', at: '2' }]);
    expect(fullyApproved(standing)).toBe(true);
    const partial = approvalStanding(['dba', 'web'], [a('web', 'reject', '1')]);
    expect(fullyApproved(partial)).toBe(false);
    expect(waitingFor(partial)).toEqual(['dba', 'web']);
  });
});

describe('cursor paging, newest first', () => {
  const items = [{ id: 'a', t: '2026-01-01' }, { id: 'b', t: '2026-01-03' }, { id: 'c', t: '2026-01-02' }, { id: 'd', t: '2026-01-03' }];
  it('walks every item once, ties broken by id', () => {
    const seen: string[] = [];
    let after: { at: string; id: string } | null = null;
    do {
      const page: { items: { id: string }[]; last: { at: string; id: string } | null } = newestFirst(items, (i) => i.t, after, 3);
      seen.push(...page.items.map((i) => i.id));
      after = page.last;
    } while (after);
    expect(seen).toEqual(['d', 'b', 'c', 'a']);
  });
  it('cursors round-trip and a foreign one is refused', () => {
    expect(decodeCursor(encodeCursor({ at: 'x', id: 'y' }))).toEqual({ at: 'x', id: 'y' });
    expect(decodeCursor('nope')).toBeNull();
    expect(decodeCursor(Buffer.from('{"a":1}').toString('base64url'))).toBeNull();
  });
});
