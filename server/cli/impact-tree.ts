import type { ImpactReply, ImpactedCi } from '../model/impact.ts';

const label = (i: ImpactedCi) => `${i.name} (${i.class}${i.tier !== null ? `, tier ${i.tier}` : ''})`;
const severity = { down: 0, degraded: 1, maintenance: 2 } as const;

/**
 * The blast radius as a tree: each impacted CI under the CI its explanation path came through,
 * the worst first, then by tier and name. Pure: lines in, lines out.
 */
export function renderImpactTree(reply: ImpactReply): string[] {
  const children = new Map<string, ImpactedCi[]>();
  const roots: ImpactedCi[] = [];
  for (const i of reply.impacted) {
    if (i.path.length < 2) { roots.push(i); continue; }
    const parent = i.path[i.path.length - 2];
    const list = children.get(parent) ?? [];
    children.set(parent, list);
    list.push(i);
  }
  const order = (a: ImpactedCi, b: ImpactedCi) => severity[a.state] - severity[b.state] || (a.tier ?? 9) - (b.tier ?? 9) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const lines: string[] = [];
  const walk = (i: ImpactedCi, prefix: string, last: boolean, top: boolean) => {
    const branch = top ? '' : last ? '└─ ' : '├─ ';
    lines.push(`${prefix}${branch}${label(i)} ${i.state.toUpperCase()}${top ? '' : ` — ${i.reason}`}`);
    const kids = (children.get(i.id) ?? []).sort(order);
    const next = top ? prefix : prefix + (last ? '   ' : '│  ');
    kids.forEach((k, n) => walk(k, next, n === kids.length - 1, false));
  };
  for (const r of roots.sort(order)) walk(r, '', true, true);
  const s = reply.summary;
  lines.push('');
  lines.push(`${reply.total} CIs impacted: ${s.down} down, ${s.degraded} degraded, ${s.maintenance} in maintenance; ${s.services} services` +
    (s.downtimeCostPerHour ? `, ${s.downtimeCostPerHour.toLocaleString('en-US')} per hour at risk` : '') + '.');
  if (reply.truncated) lines.push(`Listed the nearest ${reply.impacted.length} of ${reply.total}; raise --limit to see more.`);
  return lines;
}
