import { CHANGE_MANAGEMENT_TEAM, type Approval, type Approvers, type ChangeRecord, type ChangeStatus } from '../../model/changes.ts';
import { CHANGE_TRANSITIONS } from '../../model/changes.ts';

export const UNOWNED = '(unowned)';

/**
 * The teams whose approval a normal change needs: the approvers the assessment names (owners of the
 * impacted tier 1-2 services), else the owners of the touched CIs; unowned services fall to change
 * management, as does a change where nobody can be named. Sorted, unique.
 */
export function approvalTeams(approvers: Approvers, touchedOwners: readonly (string | null)[]): string[] {
  const named = approvers.map((a) => (a.team === UNOWNED ? CHANGE_MANAGEMENT_TEAM : a.team));
  const teams = named.length ? named : touchedOwners.map((o) => o ?? CHANGE_MANAGEMENT_TEAM);
  const out = [...new Set(teams.length ? teams : [CHANGE_MANAGEMENT_TEAM])];
  return out.sort();
}

export interface Standing { team: string; decision: Approval['decision'] | null; by: string | null; at: string | null }

/** Where each required team stands: its latest decision counts (a team may reject, then approve). */
export function approvalStanding(teams: readonly string[], approvals: readonly Approval[]): Standing[] {
  const latest = new Map<string, Approval>();
  for (const a of approvals) latest.set(a.team, a);
  return teams.map((team) => {
    const a = latest.get(team);
    return { team, decision: a?.decision ?? null, by: a?.by ?? null, at: a?.at ?? null };
  });
}

export const fullyApproved = (standing: readonly Standing[]) => standing.every((s) => s.decision === 'approve');
export const waitingFor = (standing: readonly Standing[]) => standing.filter((s) => s.decision !== 'approve').map((s) => s.team);

/**
 * Whether approver teams may decide on this change now: while it is planned, and for an emergency change (which
 * may start first) afterwards too, approved after the fact. A standard change is pre-approved and takes none.
 */
export function takesApprovals(change: Pick<ChangeRecord, 'status' | 'type'>): boolean {
  if (change.type === 'standard' || change.status === 'cancelled') return false;
  return change.status === 'planned' || change.type === 'emergency';
}

/**
 * The statuses this change may move to now through PATCH. Approval is not one of them: a normal change
 * becomes approved when its last approver team approves (a standard one starts approved). Only an
 * emergency change may start before it is approved.
 */
export function changeTransitions(change: Pick<ChangeRecord, 'status' | 'type'>): ChangeStatus[] {
  return CHANGE_TRANSITIONS[change.status].filter((s) => {
    if (s === 'approved') return false;
    if (change.status === 'planned' && s === 'in-progress') return change.type === 'emergency';
    return true;
  });
}
