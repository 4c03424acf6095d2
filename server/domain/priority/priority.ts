import { z } from 'zod';
import { Priority, type PriorityResult } from '../../model/incidents.ts';
import type { ImpactSummary } from '../../model/impact.ts';

const Level = z.number().int().min(1).max(4);

/**
 * The one priority matrix every team shares (ITIL's impact × urgency), configurable as a whole.
 * `impact[tier]` turns the worst hit (a tier, down or degraded) into an impact level 1-4 (1 highest);
 * `matrix[impact - 1][urgency - 1]` gives the priority. docs/priority.md explains the defaults.
 */
export const PriorityConfig = z.strictObject({
  impact: z.strictObject({
    1: z.strictObject({ down: Level, degraded: Level }),
    2: z.strictObject({ down: Level, degraded: Level }),
    3: z.strictObject({ down: Level, degraded: Level }),
    4: z.strictObject({ down: Level, degraded: Level }),
  }),
  /** Impact level when nothing with a tier is hit (or only CIs in maintenance). */
  untiered: Level,
  matrix: z.array(z.array(Priority).length(3)).length(4),
});
export type PriorityConfig = z.infer<typeof PriorityConfig>;

export const defaultPriorityConfig: PriorityConfig = {
  impact: { 1: { down: 1, degraded: 2 }, 2: { down: 2, degraded: 3 }, 3: { down: 3, degraded: 4 }, 4: { down: 4, degraded: 4 } },
  untiered: 4,
  matrix: [
    ['P1', 'P1', 'P2'],
    ['P1', 'P2', 'P3'],
    ['P2', 'P3', 'P4'],
    ['P3', 'P4', 'P4'],
  ],
};

/** The highest impact level among every (tier, state) the incident hits, then the matrix. */
export function priorityOf(tiersHit: ImpactSummary['tiersHit'], urgency: 1 | 2 | 3, config: PriorityConfig = defaultPriorityConfig): PriorityResult {
  // The worst hit names the reason even when its level is no higher than the untiered one (tier 3 degraded is
  // impact 4 by default): "no CI with a tier is hit" said so of incidents that hit tier-3 services.
  let worst: { level: number; why: string } | null = null;
  for (const tier of [1, 2, 3, 4] as const) {
    const hit = tiersHit[tier];
    if (!hit) continue;
    for (const state of ['down', 'degraded'] as const) {
      if (!hit[state] || (worst && config.impact[tier][state] >= worst.level)) continue;
      worst = { level: config.impact[tier][state], why: `${hit[state]} tier-${tier} CI${hit[state] > 1 ? 's' : ''} ${state}` };
    }
  }
  const impact = Math.min(config.untiered, worst?.level ?? config.untiered);
  const why = worst?.why ?? 'no CI with a tier is hit';
  const priority = config.matrix[impact - 1][urgency - 1];
  return { priority, impact, urgency, reason: `${why} → impact ${impact}; urgency ${urgency} → ${priority}` };
}
