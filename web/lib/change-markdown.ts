import type { ChangeAssessment, ChangeView, ImpactedService } from './types.ts';
import { windowWords } from './when.ts';

/**
 * A change's assessment as Markdown, for the CAB's agenda or the ticket: what it touches and when, what goes down or
 * degrades, the risk with its factors, who approves and where each stands, what it collides with. Pure: the page
 * hands it the change, its assessment, the page's address and the zone its local times are in.
 */
export interface MarkdownContext { link: string; zone: string }

/** Services listed per state before the rest are counted: a hub's blast radius holds hundreds. */
export const LISTED_SERVICES = 25;
const LISTED_APPROVER_SERVICES = 5;

/** A table cell's text: a pipe or a line break would end the cell or the row. */
const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s*[\r\n]+\s*/g, ' ');
/** Inline text: Markdown's emphasis and link characters taken literally. */
const text = (s: string) => s.replace(/([\\`*_[\]<>#|])/g, '\\$1').replace(/\s*[\r\n]+\s*/g, ' ');
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const tierText = (tier: number | null) => (tier ? `tier ${tier}` : 'no tier');
const DECISION = { approve: 'approved', reject: 'rejected' } as const;

function servicesIn(state: ImpactedService['state'], services: readonly ImpactedService[]): string[] {
  const listed = services.filter((s) => s.state === state);
  if (!listed.length) return [];
  return [
    `| Service | Tier | Owner |`, `|---|---|---|`,
    ...listed.slice(0, LISTED_SERVICES).map((s) => `| ${cell(s.name)} | ${s.tier ?? '—'} | ${cell(s.owner ?? '—')} |`),
  ];
}

export function changeMarkdown(change: ChangeView, a: ChangeAssessment, ctx: MarkdownContext): string {
  const { summary, services } = a.blastRadius;
  const nameOf = new Map<string, string>([...a.blastRadius.impacted, ...services].map((c) => [c.id, c.name]));
  const out: string[] = [];
  out.push(`# Change: ${text(change.title)}`, '');
  out.push(`- **Change**: [${change.id}](${ctx.link}), ${change.status}, ${change.type}, ${a.implementation.mode === 'rolling' ? 'rolling' : 'all at once'}`);
  out.push(`- **Window**: ${windowWords(new Date(change.window.start), new Date(change.window.end))}, times in ${ctx.zone}; in UTC ${change.window.start} – ${change.window.end}`);
  out.push(`- **Touches**: ${change.cis.map((id) => text(nameOf.get(id) ?? id)).join(', ')}`);
  if (change.reviewRequired) out.push(`- **Review required**: started before every approver team approved`);
  out.push('');

  out.push(`## Blast radius`, '');
  out.push(`${plural(a.blastRadius.total, 'CI')} could be hit: ${summary.down.toLocaleString('en-US')} down, ${summary.degraded.toLocaleString('en-US')} degraded${summary.maintenance ? `, ${summary.maintenance.toLocaleString('en-US')} in maintenance` : ''}; ${plural(summary.services, 'service')}. Assumed: ${text(a.implementation.assumed)}.`);
  const byTier = Object.entries(summary.byTier).sort(([x], [y]) => (x === 'none' ? 1 : y === 'none' ? -1 : Number(x) - Number(y)));
  if (byTier.length) out.push('', `Services by tier: ${byTier.map(([t, n]) => `${t === 'none' ? 'no tier' : `tier ${t}`}: ${n}`).join(', ')}.`);
  if (summary.downtimeCostPerHour) out.push('', `Downtime cost of the services hit: ${summary.downtimeCostPerHour.toLocaleString('en-US')} per hour.`);
  for (const state of ['down', 'degraded'] as const) {
    const table = servicesIn(state, services);
    if (!table.length) continue;
    const more = services.filter((s) => s.state === state).length - LISTED_SERVICES;
    out.push('', `### Services ${state}`, '', ...table);
    if (more > 0) out.push('', `…and ${plural(more, 'more service', 'more services')} ${state}, less critical.`);
  }
  // The assessment's own listing may be cut: its counts are of every service.
  if (summary.services > services.length) out.push('', `${plural(summary.services - services.length, 'more service is', 'more services are')} hit beyond the assessment's listing (counted above).`);
  if (!services.length) out.push('', 'No service is hit.');
  out.push('');

  out.push(`## Risk: ${a.risk.score} of 100 (${a.risk.level})`, '');
  out.push(`| Factor | Points | Why |`, `|---|---|---|`);
  for (const f of a.risk.factors.filter((f) => f.points > 0)) out.push(`| ${f.factor} | +${f.points} | ${cell(f.detail)} |`);
  out.push('');

  out.push(`## Approvals`, '');
  if (change.type === 'standard') out.push('A standard change is pre-approved.');
  else {
    const servicesOf = new Map(a.approvers.map((t) => [t.team, t.services]));
    out.push(`| Team | Decision | For |`, `|---|---|---|`);
    for (const t of change.approvalTeams) {
      const decision = t.decision ? `${DECISION[t.decision]} by ${t.by ?? '?'}${t.at ? `, ${t.at}` : ''}` : 'waiting';
      const owned = servicesOf.get(t.team) ?? [];
      const shown = owned.slice(0, LISTED_APPROVER_SERVICES).map((s) => `${s.name} (${tierText(s.tier)})`).join(', ');
      const rest = owned.length > LISTED_APPROVER_SERVICES ? ` and ${owned.length - LISTED_APPROVER_SERVICES} more` : '';
      out.push(`| ${cell(t.team)} | ${cell(decision)} | ${cell(owned.length ? shown + rest : 'the CIs it owns')} |`);
    }
  }
  out.push('');

  out.push(`## Collisions`, '');
  if (!a.collisions.length) out.push('No other change collides.');
  for (const c of a.collisions) {
    const shared = [
      c.sharedServices.length ? `shares ${plural(c.sharedServices.length, 'service')} (${c.sharedServices.slice(0, 5).map((id) => text(nameOf.get(id) ?? id)).join(', ')}${c.sharedServices.length > 5 ? ', …' : ''})` : '',
      c.sharedCis.length ? `touches ${plural(c.sharedCis.length, 'CI')} of the same` : '',
    ].filter(Boolean).join(', ');
    out.push(`- ${text(c.change.title)} (${c.change.id}, ${c.change.status}, ${windowWords(new Date(c.change.window.start), new Date(c.change.window.end))}, recorded by ${text(c.change.createdBy)})${shared ? `: ${shared}` : ''}`);
  }
  if (a.blackouts.length) {
    out.push('', `## Blackouts`, '');
    for (const b of a.blackouts) out.push(`- Inside blackout “${text(b.window.title)}”, ${windowWords(new Date(b.window.start), new Date(b.window.end))}`);
  }
  out.push('', `_Assessed ${change.assessment?.at ?? 'now'} by servicegraph; times in ${ctx.zone}._`, '');
  return out.join('\n');
}
