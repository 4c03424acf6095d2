import { describe, expect, it } from 'vitest';
import { changeMarkdown, LISTED_SERVICES } from '../../web/lib/change-markdown.ts';
import { windowWords } from '../../web/lib/when.ts';
import type { ChangeAssessment, ChangeView, ImpactedService } from '../../web/lib/types.ts';

const WINDOW = { start: '2026-12-07T22:00:00.000Z', end: '2026-12-08T00:00:00.000Z' };
const ctx = { link: 'https://sg.example/changes/chg-1', zone: 'UTC' };
const service = (name: string, state: 'down' | 'degraded', tier: number | null, owner = 'payments-team'): ImpactedService =>
  ({ id: `ci-${name}`, name, class: 'business_service', tier, owner, state });

function changeOf(over: Partial<ChangeView> = {}): ChangeView {
  return {
    id: 'chg-1', title: 'patch db-7', type: 'normal', window: WINDOW, cis: ['ci-db-7'], status: 'planned',
    createdAt: '2026-12-07T09:00:00.000Z', updatedAt: '2026-12-07T09:00:00.000Z', createdBy: 'alice', implementation: 'all-at-once',
    assessment: { at: '2026-12-07T09:00:01.000Z', score: 62, level: 'high', implementation: 'all-at-once', impactedCis: 3, impactedServices: 2, collisions: ['chg-2'], blackouts: [], approvalTeams: ['payments-team', 'sre'] },
    approvalTeams: [
      { team: 'payments-team', decision: 'approve', by: 'bob', at: '2026-12-07T10:00:00.000Z' },
      { team: 'sre', decision: null, by: null, at: null },
    ],
    takesApprovals: true, allowedTransitions: ['cancelled'],
    ...over,
  };
}

function assessmentOf(services: ImpactedService[], over: Partial<ChangeAssessment> = {}): ChangeAssessment {
  const change = changeOf();
  return {
    change,
    risk: { score: 62, level: 'high', factors: [
      { factor: 'tiers', points: 35, detail: 'touches a tier-1 CI; a tier-1 CI goes down' },
      { factor: 'incidents', points: 0, detail: '0 incidents on the touched CIs in the last 90 days' },
      { factor: 'collisions', points: 10, detail: '1 colliding change' },
    ] },
    blastRadius: {
      summary: { down: 2, degraded: 1, maintenance: 0, worstTier: 1, worstTierState: 'down', services: services.length, byTier: { 1: 1, none: 1 }, tiersHit: {}, downtimeCostPerHour: 0, users: 0 },
      services,
      impacted: [{ id: 'ci-db-7', name: 'db-7', class: 'database', tier: 1, owner: 'dba', state: 'down', actualState: 'down', depth: 0, path: ['ci-db-7'], reason: 'touched' }],
      total: 3, truncated: false,
    },
    collisions: [{ change: { id: 'chg-2', title: 'upgrade the payments API', status: 'approved', window: { start: '2026-12-07T23:00:00.000Z', end: '2026-12-08T01:00:00.000Z' }, createdBy: 'payments change manager' }, sharedServices: ['ci-payments'], sharedCis: [] }],
    blackouts: [],
    approvers: [{ team: 'payments-team', services: [{ id: 'ci-payments', name: 'payments', tier: 1 }] }],
    approvalTeams: ['payments-team', 'sre'],
    insideMaintenanceWindow: false,
    implementation: { mode: 'all-at-once', waves: [['ci-db-7']], assumed: 'the touched CI down' },
    ...over,
  };
}

describe("a change's assessment as Markdown for the CAB or the ticket", () => {
  it('says what it touches and when, what goes down or degrades, the risk and its factors, who approves, and what it collides with', () => {
    const md = changeMarkdown(changeOf(), assessmentOf([service('payments', 'down', 1), service('reports', 'degraded', null, 'data')]), ctx);
    expect(md).toBe([
      '# Change: patch db-7',
      '',
      '- **Change**: [chg-1](https://sg.example/changes/chg-1), planned, normal, all at once',
      `- **Window**: ${windowWords(new Date(WINDOW.start), new Date(WINDOW.end))}, times in UTC; in UTC ${WINDOW.start} – ${WINDOW.end}`,
      '- **Touches**: db-7',
      '',
      '## Blast radius',
      '',
      '3 CIs could be hit: 2 down, 1 degraded; 2 services. Assumed: the touched CI down.',
      '',
      'Services by tier: tier 1: 1, no tier: 1.',
      '',
      '### Services down',
      '',
      '| Service | Tier | Owner |',
      '|---|---|---|',
      '| payments | 1 | payments-team |',
      '',
      '### Services degraded',
      '',
      '| Service | Tier | Owner |',
      '|---|---|---|',
      '| reports | — | data |',
      '',
      '## Risk: 62 of 100 (high)',
      '',
      '| Factor | Points | Why |',
      '|---|---|---|',
      '| tiers | +35 | touches a tier-1 CI; a tier-1 CI goes down |',
      '| collisions | +10 | 1 colliding change |',
      '',
      '## Approvals',
      '',
      '| Team | Decision | For |',
      '|---|---|---|',
      '| payments-team | approved by bob, 2026-12-07T10:00:00.000Z | payments (tier 1) |',
      '| sre | waiting | the CIs it owns |',
      '',
      '## Collisions',
      '',
      `- upgrade the payments API (chg-2, approved, ${windowWords(new Date('2026-12-07T23:00:00.000Z'), new Date('2026-12-08T01:00:00.000Z'))}, recorded by payments change manager): shares 1 service (payments)`,
      '',
      '_Assessed 2026-12-07T09:00:01.000Z by servicegraph; times in UTC._',
      '',
    ].join('\n'));
  });

  it("lists a hub's most critical services and counts the rest, including those beyond the assessment's own listing", () => {
    const many = Array.from({ length: LISTED_SERVICES + 7 }, (_, i) => service(`svc-${i}`, 'down', 1 + (i % 4)));
    const a = assessmentOf(many);
    a.blastRadius.summary.services = many.length + 100;
    const md = changeMarkdown(changeOf(), a, ctx);
    expect(md.match(/^\| svc-/gm)).toHaveLength(LISTED_SERVICES);
    expect(md).toContain('…and 7 more services down, less critical.');
    expect(md).toContain('100 more services are hit beyond the assessment\'s listing (counted above).');
  });

  it('keeps names that look like Markdown as text, in tables and lines alike', () => {
    const a = assessmentOf([service('a|b', 'down', 2, 'team\nx')]);
    const md = changeMarkdown(changeOf({ title: '*urgent* fix [db] #7' }), a, ctx);
    expect(md).toContain('# Change: \\*urgent\\* fix \\[db\\] \\#7');
    expect(md).toContain('| a\\|b | 2 | team x |');
  });

  it('says a standard change is pre-approved, and names the blackouts it runs into', () => {
    const a = assessmentOf([], { collisions: [], blackouts: [{ window: { id: 'w-1', title: 'year-end freeze', kind: 'blackout', start: '2026-12-06T00:00:00.000Z', end: '2026-12-09T00:00:00.000Z', services: [], createdAt: '', createdBy: 'x' }, services: [] }] });
    const md = changeMarkdown(changeOf({ type: 'standard' }), a, ctx);
    expect(md).toContain('## Approvals\n\nA standard change is pre-approved.');
    expect(md).toContain('No service is hit.');
    expect(md).toContain('## Collisions\n\nNo other change collides.');
    expect(md).toContain('## Blackouts\n\n- Inside blackout “year-end freeze”');
  });
});
