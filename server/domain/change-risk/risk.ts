import type { ChangeType, Risk, RiskFactor } from '../../model/changes.ts';

/** What the risk of a change is computed from; every number is already measured by the caller. */
export interface RiskInputs {
  type: ChangeType;
  /** Most critical tier among the touched CIs themselves, null when none has a tier. */
  touchedTier: number | null;
  /** Most critical tier in the blast radius and whether it goes down or only degrades. */
  worstTierHit: { tier: number; state: 'down' | 'degraded' } | null;
  impactedCis: number;
  impactedServices: number;
  /** Incidents in the lookback (90 days) that named a touched CI. */
  recentIncidents: number;
  /** Failed changes in the lookback that touched one of the same CIs. */
  recentFailedChanges: number;
  /** Hours from the change being recorded to its window opening. */
  leadTimeHours: number;
  insideMaintenanceWindow: boolean;
  collisions: number;
  blackouts: number;
}

/** Points per factor; the sum is capped at 100. Tuned so that tiers dominate and a blackout alone is "medium". */
export const defaultRiskWeights = {
  /** What is touched weighs most: the same blast radius is likelier from work on a critical CI. */
  touchedTier: { 1: 20, 2: 14, 3: 8, 4: 3 } as Record<number, number>,
  /** The worst tier the blast radius takes down; half when it only degrades it. */
  hitTier: { 1: 15, 2: 10, 3: 5, 4: 2 } as Record<number, number>,
  breadthPerDecade: 5, breadthMax: 15,
  perIncident: 4, incidentsMax: 12,
  perFailedChange: 6, failedChangesMax: 12,
  type: { standard: 0, normal: 5, emergency: 12 } as Record<ChangeType, number>,
  leadTime: [{ underHours: 24, points: 8 }, { underHours: 72, points: 4 }],
  outsideMaintenance: 8,
  perCollision: 8, collisionsMax: 15,
  blackout: 25,
  levels: [{ below: 25, level: 'low' }, { below: 50, level: 'medium' }, { below: 75, level: 'high' }] as const,
};
export type RiskWeights = typeof defaultRiskWeights;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Risk score 0-100 with each factor's contribution listed, so the number can be argued with. */
export function assessRisk(x: RiskInputs, w: RiskWeights = defaultRiskWeights): Risk {
  const factors: RiskFactor[] = [];
  const add = (factor: RiskFactor['factor'], points: number, detail: string) => factors.push({ factor, points: Math.round(points), detail });

  const touched = x.touchedTier === null ? 0 : w.touchedTier[x.touchedTier] ?? 0;
  const hit = x.worstTierHit === null ? 0 : (w.hitTier[x.worstTierHit.tier] ?? 0) * (x.worstTierHit.state === 'down' ? 1 : 0.5);
  add('tiers', touched + hit, [
    x.touchedTier === null ? 'touches no tiered CI' : `touches a tier-${x.touchedTier} CI`,
    x.worstTierHit === null ? 'no tiered CI in the blast radius' : `a tier-${x.worstTierHit.tier} CI ${x.worstTierHit.state === 'down' ? 'goes down' : 'degrades'}`,
  ].join('; '));
  add('breadth', Math.min(w.breadthMax, w.breadthPerDecade * Math.log10(1 + x.impactedCis)), `${plural(x.impactedCis, 'CI')} and ${plural(x.impactedServices, 'service')} impacted if the touched CIs go down`);
  add('incidents', Math.min(w.incidentsMax, w.perIncident * x.recentIncidents), `${plural(x.recentIncidents, 'incident')} on the touched CIs in the last 90 days`);
  add('failedChanges', Math.min(w.failedChangesMax, w.perFailedChange * x.recentFailedChanges), `${plural(x.recentFailedChanges, 'failed change')} on the touched CIs in the last 90 days`);
  add('type', w.type[x.type], `${x.type} change`);
  // A standard change is pre-approved and routine: short notice is its nature, not a risk.
  const lead = x.type === 'standard' ? undefined : w.leadTime.find((l) => x.leadTimeHours < l.underHours);
  add('leadTime', lead?.points ?? 0, `window opens ${Math.max(0, Math.round(x.leadTimeHours))} h after it was recorded`);
  add('outsideMaintenance', x.insideMaintenanceWindow ? 0 : w.outsideMaintenance, x.insideMaintenanceWindow ? 'inside a maintenance window' : 'outside any maintenance window');
  add('collisions', Math.min(w.collisionsMax, w.perCollision * x.collisions), `${plural(x.collisions, 'colliding change')}`);
  add('blackout', x.blackouts ? w.blackout : 0, x.blackouts ? `runs into ${plural(x.blackouts, 'blackout window')}` : 'no blackout window');

  const score = Math.min(100, factors.reduce((s, f) => s + f.points, 0));
  const level = w.levels.find((l) => score < l.below)?.level ?? 'critical';
  return { score, level, factors };
}
