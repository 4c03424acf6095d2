import type { Approvers } from '../../model/changes.ts';
import type { ImpactedService } from '../../model/impact.ts';

/** Owners of impacted tier 1-2 services, one entry per team; services without an owner fall to "(unowned)". */
export function approversFor(services: ImpactedService[]): Approvers {
  const byTeam = new Map<string, Approvers[number]['services']>();
  for (const s of services) {
    if (s.tier === null || s.tier > 2) continue;
    const team = s.owner ?? '(unowned)';
    const list = byTeam.get(team) ?? [];
    byTeam.set(team, list);
    list.push({ id: s.id, name: s.name, tier: s.tier });
  }
  return [...byTeam].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([team, list]) => ({ team, services: list }));
}
