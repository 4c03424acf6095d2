import { describe, expect, it } from 'vitest';
import { assessRisk, type RiskInputs } from '../../../server/domain/change-risk/risk.ts';

const calm: RiskInputs = {
  type: 'normal', worstTier: null, impactedCis: 0, impactedServices: 0, recentIncidents: 0, recentFailedChanges: 0,
  leadTimeHours: 200, insideMaintenanceWindow: true, collisions: 0, blackouts: 0,
};

describe('change risk', () => {
  it('lists every factor with its points, and the points add up to the score', () => {
    const r = assessRisk({ ...calm, worstTier: 2, impactedCis: 99, impactedServices: 4, recentIncidents: 1, collisions: 1 });
    expect(r.factors.map((f) => f.factor)).toEqual(['tiers', 'breadth', 'incidents', 'failedChanges', 'type', 'leadTime', 'outsideMaintenance', 'collisions', 'blackout']);
    expect(r.score).toBe(r.factors.reduce((s, f) => s + f.points, 0));
    expect(r.factors.find((f) => f.factor === 'tiers')).toEqual({ factor: 'tiers', points: 20, detail: 'worst tier hit: 2' });
    expect(r.factors.find((f) => f.factor === 'breadth')).toMatchObject({ points: 10, detail: '99 CIs and 4 services impacted if the touched CIs go down' });
  });

  it('a tier-1 blast radius scores above the same change hitting only tier 4', () => {
    const tier1 = assessRisk({ ...calm, worstTier: 1, impactedCis: 30, impactedServices: 5 });
    const tier4 = assessRisk({ ...calm, worstTier: 4, impactedCis: 30, impactedServices: 5 });
    expect(tier1.score).toBeGreaterThan(tier4.score);
  });

  it('an emergency change on short notice outside any window into a blackout is critical; capped at 100', () => {
    const r = assessRisk({ ...calm, type: 'emergency', worstTier: 1, impactedCis: 100_000, impactedServices: 900, recentIncidents: 9, recentFailedChanges: 9, leadTimeHours: 1, insideMaintenanceWindow: false, collisions: 5, blackouts: 1 });
    expect(r).toMatchObject({ score: 100, level: 'critical' });
  });

  it('short notice does not count against a standard change', () => {
    const r = assessRisk({ ...calm, type: 'standard', leadTimeHours: 1 });
    expect(r.factors.find((f) => f.factor === 'leadTime')!.points).toBe(0);
    expect(r).toMatchObject({ score: 0, level: 'low' });
  });
});
