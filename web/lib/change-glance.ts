import type { ChangeAssessment, ChangeView } from './types.ts';

/**
 * The change manager's three questions answered in a line each, for the top of the change's page: what goes down
 * or degrades, who must approve and where they stand, and (by the page) what it collides with. The sections below
 * say the same at length; they sat under the workflow's controls, a scroll or two down (on a phone, five).
 */
export interface Glance { impact: string; approvals: string }

const list = (names: string[]) => names.length > 4 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');

export function changeGlance(change: Pick<ChangeView, 'type' | 'approvalTeams'>, a: Pick<ChangeAssessment, 'blastRadius'>): Glance {
  const { summary, services } = a.blastRadius;
  let impact: string;
  if (!summary.services) impact = summary.down + summary.degraded ? `No service hit (${summary.down + summary.degraded} CIs)` : 'Nothing else hit';
  else if (services.length >= summary.services) {
    // Every service is listed: counted by its state.
    const down = services.filter((s) => s.state === 'down').length, degraded = services.filter((s) => s.state === 'degraded').length;
    impact = `${down} ${down === 1 ? 'service' : 'services'} down, ${degraded || 'none'} degraded`;
  } else impact = `${summary.services} services hit (${summary.down} CIs down, ${summary.degraded} degraded)`;

  let approvals: string;
  if (change.type === 'standard') approvals = 'Pre-approved (a standard change)';
  else {
    const teams = (d: 'approve' | 'reject' | null) => change.approvalTeams.filter((t) => t.decision === d).map((t) => t.team);
    const waiting = teams(null), approved = teams('approve'), rejected = teams('reject');
    if (!waiting.length && !rejected.length) approvals = `Approved by ${approved.length > 4 ? `all ${approved.length} teams` : list(approved)}`;
    else approvals = [
      rejected.length ? `rejected by ${list(rejected)}` : '',
      waiting.length ? `waiting for ${list(waiting)}` : '',
      approved.length ? `approved by ${list(approved)}` : '',
    ].filter(Boolean).join('; ').replace(/^./, (c) => c.toUpperCase());
  }
  return { impact, approvals };
}
