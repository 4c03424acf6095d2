import { describe, expect, it } from 'vitest';
import { assessRisk, type RiskInputs } from '../../../server/domain/change-risk/risk.ts';

const calm: RiskInputs = {
  type: 'normal', touchedTier: null, worstTierHit: null, impactedCis: 0, impactedServices: 0, recentIncidents: 0, recentFailedChanges: 0,
  leadTimeHours: 200, insideMaintenanceWindow: true, collisions: 0, blackouts: 0,
};

describe('change risk', () => {
  it('lists every factor with its points, and the points add up to the score', () => {
    const r = assessRisk({ ...calm, touchedTier: 3, worstTierHit: { tier: 2, state: 'degraded' }, impactedCis: 99, impactedServices: 4, recentIncidents: 1, collisions: 1 });
    expect(r.factors.map((f) => f.factor)).toEqual(['tiers', 'breadth', 'incidents', 'failedChanges', 'type', 'leadTime', 'outsideMaintenance', 'collisions', 'blackout']);
    expect(r.score).toBe(r.factors.reduce((s, f) => s + f.points, 0));
    expect(r.factors.find((f) => f.factor === 'tiers')).toEqual({ factor: 'tiers', points: 13, detail: 'touches a tier-3 CI; a tier-2 CI degrades' });
    expect(r.factors.find((f) => f.factor === 'breadth')).toMatchObject({ points: 10, detail: '99 CIs and 4 services impacted if the touched CIs go down' });
  });

  it('touching a tier-1 CI scores above touching a tier-4 one, even when both blast radii reach tier 1', () => {
    const reach = { worstTierHit: { tier: 1, state: 'down' as const }, impactedCis: 30, impactedServices: 5 };
    expect(assessRisk({ ...calm, ...reach, touchedTier: 1 }).score).toBeGreaterThan(assessRisk({ ...calm, ...reach, touchedTier: 4 }).score);
  });

  it('a blast radius that takes tier 1 down scores above one that only degrades it', () => {
    const down = assessRisk({ ...calm, worstTierHit: { tier: 1, state: 'down' } });
    const degraded = assessRisk({ ...calm, worstTierHit: { tier: 1, state: 'degraded' } });
    expect(down.score).toBeGreaterThan(degraded.score);
  });

  it('an emergency change on short notice outside any window into a blackout is critical; capped at 100', () => {
    const r = assessRisk({ ...calm, type: 'emergency', touchedTier: 1, worstTierHit: { tier: 1, state: 'down' }, impactedCis: 100_000, impactedServices: 900, recentIncidents: 9, recentFailedChanges: 9, leadTimeHours: 1, insideMaintenanceWindow: false, collisions: 5, blackouts: 1 });
    expect(r).toMatchObject({ score: 100, level: 'critical' });
  });

  it('short notice does not count against a standard change', () => {
    const r = assessRisk({ ...calm, type: 'standard', leadTimeHours: 1 });
    expect(r.factors.find((f) => f.factor === 'leadTime')!.points).toBe(0);
    expect(r).toMatchObject({ score: 0, level: 'low' });
  });
});
