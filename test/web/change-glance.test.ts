import { describe, expect, it } from 'vitest';
import { changeGlance } from '../../web/lib/change-glance.ts';
import type { ChangeAssessment, ImpactedService } from '../../web/lib/types.ts';

const svc = (name: string, state: 'down' | 'degraded'): ImpactedService => ({ id: name, name, class: 'service', tier: 1, owner: null, state });
function radius(services: ImpactedService[], counted = services.length, cis = { down: 3, degraded: 1 }): Pick<ChangeAssessment, 'blastRadius'> {
  return { blastRadius: { summary: { ...cis, maintenance: 0, worstTier: 1, worstTierState: 'down', services: counted, byTier: {}, tiersHit: {}, downtimeCostPerHour: 0, users: 0 }, services, impacted: [], total: cis.down + cis.degraded, truncated: counted > services.length } };
}
const team = (t: string, decision: 'approve' | 'reject' | null = null) => ({ team: t, decision, by: decision ? 'x' : null, at: null });

describe("a change's page answers its three questions at a glance", () => {
  it('says how many services go down and how many degrade, counting them by state when every one is listed', () => {
    const normal = { type: 'normal' as const, approvalTeams: [team('sre')] };
    expect(changeGlance(normal, radius([svc('a', 'down'), svc('b', 'down'), svc('c', 'degraded')])).impact).toBe('2 services down, 1 degraded');
    expect(changeGlance(normal, radius([svc('a', 'down')])).impact).toBe('1 service down, none degraded');
    // A hub's listing is cut: the counts of every CI say the rest.
    expect(changeGlance(normal, radius([svc('a', 'down')], 454, { down: 456, degraded: 0 })).impact).toBe('454 services hit (456 CIs down, 0 degraded)');
    expect(changeGlance(normal, radius([], 0, { down: 2, degraded: 0 })).impact).toBe('No service hit (2 CIs)');
    expect(changeGlance(normal, radius([], 0, { down: 0, degraded: 0 })).impact).toBe('Nothing else hit');
  });

  it('says who must approve and where each stands, a refusal first', () => {
    const r = radius([]);
    expect(changeGlance({ type: 'normal', approvalTeams: [team('sre')] }, r).approvals).toBe('Waiting for sre');
    expect(changeGlance({ type: 'normal', approvalTeams: [team('sre', 'approve'), team('data'), team('web')] }, r).approvals).toBe('Waiting for data, web; approved by sre');
    expect(changeGlance({ type: 'normal', approvalTeams: [team('sre', 'reject'), team('data', 'approve')] }, r).approvals).toBe('Rejected by sre; approved by data');
    expect(changeGlance({ type: 'normal', approvalTeams: [team('sre', 'approve'), team('data', 'approve')] }, r).approvals).toBe('Approved by sre, data');
    expect(changeGlance({ type: 'normal', approvalTeams: [team('sre', 'approve')] }, r).approvals).toBe('Approved by sre');
    const nine = ['commerce', 'core', 'data', 'growth', 'mobile', 'platform', 'security', 'sre', 'web'].map((t) => team(t));
    expect(changeGlance({ type: 'normal', approvalTeams: nine }, r).approvals).toBe('Waiting for commerce, core, data and 6 more');
    expect(changeGlance({ type: 'normal', approvalTeams: nine.map((t) => ({ ...t, decision: 'approve' as const })) }, r).approvals).toBe('Approved by all 9 teams');
    expect(changeGlance({ type: 'standard', approvalTeams: [] }, r).approvals).toBe('Pre-approved (a standard change)');
  });
});
