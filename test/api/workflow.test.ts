import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Incidents and changes as records with a workflow, through HTTP, on a small estate built for it:
 *
 *   shop (business, tier 1, digital) ◀─PART_OF─ checkout (tier 1, commerce) ─DEPENDS_ON▶ orders-db (tier 2, dba)
 *   reports (tier 3, analytics) ─DEPENDS_ON▶ orders-db ─RUNS_ON▶ db-1, db-2, db-3 (redundancy: 2 of 3 needed)
 *   search (tier 2, discovery) ─RUNS_ON▶ s-1
 */
const H = 3600_000;
const at = (hours: number) => new Date(Date.now() + hours * H).toISOString();
const svc = (name: string, tier: number, owner: string, cls = 'service') => ({ class: cls, name, environment: 'production', tier, owner });
const ref = (name: string, cls = 'service') => ({ class: cls, name, environment: 'production' });
const host = (name: string) => ({ class: 'host', name, identifiers: { fqdn: `${name}.example` } });
const hostRef = (name: string) => ({ class: 'host', identifiers: { fqdn: `${name}.example` } });

describe('incident and change workflow API', () => {
  let s: TestServer;
  let viewer: string, manager: string;
  const id: Record<string, string> = {};

  const api = (path: string, init: Parameters<TestServer['api']>[1] = {}) => s.api(path, { token: manager, ...init });
  const patch = (path: string, body: unknown, token = manager) => s.api(path, { method: 'PATCH', body, token });
  const approver = (team: string) => s.tokenFor('change-manager', team);
  /** Polls a read until it satisfies `ok` (the reassessor works in the background, debounced). */
  async function until<T>(read: () => Promise<T>, ok: (t: T) => boolean, ms = 15_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await read();
      if (ok(v) || Date.now() > end) return v;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  const incident = async (title: string, cis: string[], urgency = 2) => {
    const r = await api('/api/v1/incidents', { body: { title, cis: cis.map((ci) => ({ ci: id[ci], state: 'down' })), urgency } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };
  const change = async (body: Record<string, unknown>) => {
    const r = await api('/api/v1/changes', { body: { type: 'normal', window: { start: at(48), end: at(50) }, ...body, cis: (body.cis as string[]).map((n) => id[n]) } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };

  beforeAll(async () => {
    s = await startTestServer({ config: {} });
    [viewer, manager] = await Promise.all([s.tokenFor('viewer'), s.tokenFor('change-manager')]);
    const hosts = ['db-1', 'db-2', 'db-3'];
    const r = await s.api('/api/v1/ingest', {
      body: {
        source: 'manual', scope: 'workflow',
        cis: [svc('shop', 1, 'digital', 'business_service'), svc('checkout', 1, 'commerce'), svc('orders-db', 2, 'dba', 'database'), svc('reports', 3, 'analytics'),
          svc('search', 2, 'discovery'), ...hosts.map(host), host('s-1')],
        relations: [
          { type: 'PART_OF', from: ref('checkout'), to: ref('shop', 'business_service') },
          { type: 'DEPENDS_ON', from: ref('checkout'), to: ref('orders-db', 'database') },
          { type: 'DEPENDS_ON', from: ref('reports'), to: ref('orders-db', 'database') },
          ...hosts.map((h) => ({ type: 'RUNS_ON', from: ref('orders-db', 'database'), to: hostRef(h), redundancy: { group: 'orders-db-hosts', minUp: 2 } })),
          { type: 'RUNS_ON', from: ref('search'), to: hostRef('s-1') },
        ],
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await s.feed.poke();
    const all = await s.api('/api/v1/cis?limit=100');
    for (const c of all.body.items as { id: string; name: string }[]) id[c.name] = c.id;
  });
  afterAll(async () => { await s?.close(); });

  describe('incidents', () => {
    it('move open → investigating → resolved → closed; other moves are refused with 409 naming the allowed ones', async () => {
      const inc = await incident('checkout errors', ['orders-db']);
      expect(inc).toMatchObject({ status: 'open', allowedTransitions: ['investigating', 'resolved'] });

      const refused = await patch(`/api/v1/incidents/${inc.id}`, { status: 'closed' });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: 'transition_not_allowed', details: { status: 'open', allowed: ['investigating', 'resolved'] } });
      expect(refused.body.error.message).toMatch(/investigating or resolved/);

      expect((await patch(`/api/v1/incidents/${inc.id}`, { status: 'investigating' })).body).toMatchObject({ status: 'investigating', allowedTransitions: ['resolved'] });
      expect((await patch(`/api/v1/incidents/${inc.id}`, { status: 'open' })).status).toBe(409);
      const resolved = (await patch(`/api/v1/incidents/${inc.id}`, { status: 'resolved' })).body;
      expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String), allowedTransitions: ['closed', 'investigating'] });
      // Reopened, resolved again, closed: final.
      expect((await patch(`/api/v1/incidents/${inc.id}`, { status: 'investigating' })).body).toMatchObject({ status: 'investigating', resolvedAt: null });
      await patch(`/api/v1/incidents/${inc.id}`, { status: 'resolved' });
      expect((await patch(`/api/v1/incidents/${inc.id}`, { status: 'closed' })).body).toMatchObject({ status: 'closed', closedAt: expect.any(String), allowedTransitions: [] });
      const final = await patch(`/api/v1/incidents/${inc.id}`, { status: 'investigating' });
      expect(final.status).toBe(409);
      expect(final.body.error.details).toEqual({ status: 'closed', allowed: [] });
      expect((await patch(`/api/v1/incidents/${inc.id}`, { urgency: 1 })).status).toBe(409);

      const got = (await api(`/api/v1/incidents/${inc.id}`, { token: viewer })).body;
      expect(got.timeline.map((e: { kind: string; text: string }) => `${e.kind}: ${e.text}`)).toEqual([
        expect.stringMatching(/^created: opened with priority P\d/), 'assignee: assigned to commerce (owner of checkout, tier 1, the most important service hit)',
        'status: open → investigating', 'status: investigating → resolved', 'status: reopened (investigating)', 'status: investigating → resolved', 'status: resolved → closed',
      ]);
    });

    it('keep notes on the timeline; only change managers write them, and an empty note is refused', async () => {
      const inc = await incident('reports slow', ['reports'], 3);
      const note = await api(`/api/v1/incidents/${inc.id}/notes`, { body: { text: 'restarted the reports pods' } });
      expect(note.status).toBe(201);
      expect(note.body.timeline.at(-1)).toMatchObject({ kind: 'note', text: 'restarted the reports pods', by: 'test change-manager' });
      expect((await api(`/api/v1/incidents/${inc.id}/notes`, { body: { text: '  ' } })).status).toBe(400);
      expect((await api(`/api/v1/incidents/${inc.id}/notes`, { body: { text: 'x' }, token: viewer })).status).toBe(403);
      expect((await api('/api/v1/incidents/inc-nope/notes', { body: { text: 'x' } })).status).toBe(404);
      expect(inc.assignee).toBe('analytics');
      await patch(`/api/v1/incidents/${inc.id}`, { status: 'resolved' });
    });

    it('count the other open incidents: a second replica failing raises the first incident\'s priority, kept with its reason', async () => {
      const first = await incident('db-1 lost', ['db-1']);
      // One of three hosts: orders-db keeps 2 (needs 2), degraded; checkout degraded: tier 1 degraded, urgency 2 → P2.
      expect(first.priority).toMatchObject({ priority: 'P2' });
      const second = await incident('db-2 lost', ['db-2']);
      expect(second.priority.priority).toBe('P1');
      expect(second.impact.combinedWith).toEqual([first.id]);
      const raised = await until(() => api(`/api/v1/incidents/${first.id}`), (r) => r.body.timeline.some((e: { kind: string }) => e.kind === 'priority'));
      expect(raised.body.priority.priority).toBe('P1');
      expect(raised.body.priority.reason).toContain(second.id);
      expect(raised.body.timeline.find((e: { kind: string }) => e.kind === 'priority')).toMatchObject({ by: null, text: expect.stringMatching(/^priority P2 → P1: /), data: { from: 'P2', to: 'P1' } });
      // The list reads the kept priority: it is the raised one, without recomputing.
      const listed = await api(`/api/v1/incidents?ci=${id['db-1']}`);
      expect(listed.body.items.map((i: { id: string; priority: { priority: string } }) => [i.id, i.priority.priority])).toEqual([[first.id, 'P1']]);
      // Resolving the second brings the first back down.
      await patch(`/api/v1/incidents/${second.id}`, { status: 'resolved' });
      const priorities = (r: { body: { timeline: { kind: string }[] } }) => r.body.timeline.filter((e) => e.kind === 'priority');
      const lowered = await until(() => api(`/api/v1/incidents/${first.id}`), (r) => priorities(r).length === 2);
      expect(lowered.body.priority.priority).toBe('P2');
      expect(lowered.body.timeline.filter((e: { kind: string }) => e.kind === 'priority').map((e: { data: { to: string } }) => e.data.to)).toEqual(['P1', 'P2']);
      await patch(`/api/v1/incidents/${first.id}`, { status: 'resolved' });
    });

    it('follow the graph while open: a new dependency on what failed raises the priority', async () => {
      const inc = await incident('search down', ['s-1']);
      expect(inc.priority.priority).toBe('P2');
      const r = await s.api('/api/v1/ingest', { body: { source: 'manual', scope: 'later', cis: [svc('checkout', 1, 'commerce'), svc('search', 2, 'discovery')], relations: [{ type: 'DEPENDS_ON', from: ref('checkout'), to: ref('search') }] } });
      expect(r.status).toBe(200);
      // A read is live at once; the kept priority and the timeline follow from the reassessor.
      expect((await api(`/api/v1/incidents/${inc.id}`)).body.priority.priority).toBe('P1');
      const raised = await until(() => api(`/api/v1/incidents/${inc.id}`), (x) => x.body.timeline.at(-1).kind === 'priority');
      expect(raised.body.timeline.at(-1)).toMatchObject({ kind: 'priority', by: null, data: { from: 'P2', to: 'P1' } });
      expect((await api(`/api/v1/incidents?service=${id.checkout}&status=open`)).body.items.map((i: { id: string }) => i.id)).toContain(inc.id);
      await patch(`/api/v1/incidents/${inc.id}`, { status: 'resolved' });
    });

    it('list by status, priority, CI, service, assignee and time, newest first, with cursor paging', async () => {
      const a = await incident('list a', ['reports'], 3);
      const b = await incident('list b', ['reports'], 3);
      await patch(`/api/v1/incidents/${b.id}`, { status: 'investigating' });
      const open = (await api(`/api/v1/incidents?status=open,investigating&ci=${id.reports}`)).body.items.map((i: { id: string }) => i.id);
      expect(open).toEqual([b.id, a.id]);
      expect((await api(`/api/v1/incidents?status=investigating&ci=${id.reports}`)).body.items.map((i: { id: string }) => i.id)).toEqual([b.id]);
      expect((await api(`/api/v1/incidents?priority=P1&ci=${id.reports}`)).body.items).toEqual([]);
      expect((await api(`/api/v1/incidents?assignee=analytics&status=open,investigating`)).body.items.map((i: { id: string }) => i.id)).toEqual([b.id, a.id]);
      expect((await api(`/api/v1/incidents?from=${encodeURIComponent(at(1))}`)).body.items).toEqual([]);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await api(`/api/v1/incidents?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((i) => i.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      const all = (await api('/api/v1/incidents?limit=1000')).body.items.map((i: { id: string }) => i.id);
      expect(seen).toEqual(all);
      expect(new Set(seen).size).toBe(seen.length);

      for (const bad of ['status=nope', 'priority=P9', 'cursor=%7Bnope', 'from=yesterday', 'limit=0', 'colour=red']) {
        const r = await api(`/api/v1/incidents?${bad}`);
        expect(r.status, bad).toBe(400);
      }
      await patch(`/api/v1/incidents/${a.id}`, { status: 'resolved' });
      await patch(`/api/v1/incidents/${b.id}`, { status: 'resolved' });
    });
  });

  describe('changes', () => {
    it('move planned → approved (by approvals) → in-progress → successful; refused moves name the allowed ones', async () => {
      const c = await change({ title: 'patch orders-db', cis: ['orders-db'] });
      expect(c).toMatchObject({ status: 'planned', implementation: 'all-at-once', allowedTransitions: ['cancelled'] });
      expect(c.approvalTeams).toEqual([{ team: 'commerce', decision: null, by: null, at: null }, { team: 'digital', decision: null, by: null, at: null }]);

      const early = await patch(`/api/v1/changes/${c.id}`, { status: 'approved' });
      expect(early.status).toBe(409);
      expect(early.body.error.message).toMatch(/waiting for commerce, digital/);
      expect(early.body.error.details).toEqual({ status: 'planned', allowed: ['cancelled'] });
      expect((await patch(`/api/v1/changes/${c.id}`, { status: 'in-progress' })).body.error.message).toMatch(/only an emergency change/);

      const commerce = await approver('commerce');
      const one = await api(`/api/v1/changes/${c.id}/approvals`, { body: { team: 'commerce', decision: 'approve', comment: 'fine after 22:00' }, token: commerce });
      expect(one.status).toBe(201);
      expect(one.body.status).toBe('planned');
      const digital = await approver('digital');
      const rejected = await api(`/api/v1/changes/${c.id}/approvals`, { body: { team: 'digital', decision: 'reject', comment: 'not during the sale' }, token: digital });
      expect(rejected.body).toMatchObject({ status: 'planned', approvalTeams: [{ team: 'commerce', decision: 'approve' }, { team: 'digital', decision: 'reject' }] });
      const approved = await api(`/api/v1/changes/${c.id}/approvals`, { body: { team: 'digital', decision: 'approve' }, token: digital });
      expect(approved.body).toMatchObject({ status: 'approved', allowedTransitions: ['in-progress', 'cancelled'] });

      const started = (await patch(`/api/v1/changes/${c.id}`, { status: 'in-progress' })).body;
      expect(started).toMatchObject({ status: 'in-progress', actual: { start: expect.any(String) }, allowedTransitions: ['successful', 'failed', 'cancelled'] });
      expect(started.reviewRequired).toBeUndefined();
      const done = (await patch(`/api/v1/changes/${c.id}`, { status: 'successful', comment: 'patched' })).body;
      expect(done).toMatchObject({ status: 'successful', actual: { end: expect.any(String) }, allowedTransitions: [] });
      const final = await patch(`/api/v1/changes/${c.id}`, { status: 'cancelled' });
      expect(final.status).toBe(409);
      expect(final.body.error.details).toEqual({ status: 'successful', allowed: [] });
      expect(done.timeline.map((e: { kind: string }) => e.kind)).toEqual(['created', 'assessment', 'approval', 'approval', 'approval', 'status', 'status', 'status']);
      expect(done.timeline.at(-1).text).toBe('in-progress → successful: patched');
    });

    it('approvals need the change-manager role and a token of that team, and an approver team of the change', async () => {
      const c = await change({ title: 'approval rules', cis: ['orders-db'] });
      const post = (body: unknown, token: string) => api(`/api/v1/changes/${c.id}/approvals`, { body, token });
      const unbound = await post({ team: 'commerce', decision: 'approve' }, manager);
      expect(unbound.status).toBe(403);
      expect(unbound.body.error.message).toMatch(/bound to none/);
      expect((await post({ team: 'commerce', decision: 'approve' }, await approver('digital'))).status).toBe(403);
      expect((await post({ team: 'commerce', decision: 'approve' }, await s.tokenFor('viewer'))).status).toBe(403);
      const outsider = await post({ team: 'dba', decision: 'approve' }, await approver('dba'));
      expect(outsider.status).toBe(409);
      expect(outsider.body.error).toMatchObject({ code: 'not_an_approver', details: { approvalTeams: ['commerce', 'digital'] } });
      expect((await post({ team: 'commerce', decision: 'maybe' }, await approver('commerce'))).status).toBe(400);
      expect((await api('/api/v1/changes/chg-nope/approvals', { body: { team: 'commerce', decision: 'approve' }, token: await approver('commerce') })).status).toBe(404);
      // Issued through the API, a token carries its team.
      const issued = await s.api('/api/v1/tokens', { body: { name: 'dba lead', role: 'change-manager', team: 'dba' } });
      expect(issued.body).toMatchObject({ role: 'change-manager', team: 'dba' });
      expect((await s.api('/api/v1/whoami', { token: issued.body.token })).body).toMatchObject({ team: 'dba' });
      expect((await patch(`/api/v1/changes/${c.id}`, { status: 'cancelled' })).body.status).toBe('cancelled');
      expect((await post({ team: 'commerce', decision: 'approve' }, await approver('commerce'))).status).toBe(409);
    });

    it('a standard change is pre-approved; an emergency change may start first and is flagged for review', async () => {
      const std = await change({ title: 'rotate logs', type: 'standard', cis: ['reports'] });
      expect(std).toMatchObject({ status: 'approved', allowedTransitions: ['in-progress', 'cancelled'] });
      expect(std.timeline[0].text).toMatch(/pre-approved/);
      const noApprovals = await api(`/api/v1/changes/${std.id}/approvals`, { body: { team: 'analytics', decision: 'approve' }, token: await approver('analytics') });
      expect(noApprovals.body.error.code).toBe('pre_approved');

      const em = await change({ title: 'hotfix orders-db', type: 'emergency', cis: ['orders-db'], window: { start: at(-1), end: at(1) } });
      expect(em.allowedTransitions).toEqual(['in-progress', 'cancelled']);
      const started = (await patch(`/api/v1/changes/${em.id}`, { status: 'in-progress' })).body;
      expect(started).toMatchObject({ status: 'in-progress', reviewRequired: true });
      expect(started.timeline.at(-1)).toMatchObject({ kind: 'review', text: expect.stringMatching(/started before approval \(waiting for commerce, digital\)/) });
      await api(`/api/v1/changes/${em.id}/approvals`, { body: { team: 'commerce', decision: 'approve' }, token: await approver('commerce') });
      const reviewed = (await api(`/api/v1/changes/${em.id}/approvals`, { body: { team: 'digital', decision: 'approve' }, token: await approver('digital') })).body;
      expect(reviewed).toMatchObject({ status: 'in-progress', reviewRequired: false });
      expect(reviewed.timeline.at(-1).text).toMatch(/^reviewed after the fact/);
      await patch(`/api/v1/changes/${em.id}`, { status: 'failed' });
    });

    it('rolling takes one replica down at a time: patching the three database hosts degrades, all at once takes checkout down', async () => {
      const hosts = ['db-1', 'db-2', 'db-3'];
      const allAtOnce = await change({ title: 'kernel all at once', cis: hosts });
      const rolling = await change({ title: 'kernel rolling', cis: hosts, implementation: 'rolling' });
      const a = (await api(`/api/v1/changes/${allAtOnce.id}/assessment`)).body;
      const r = (await api(`/api/v1/changes/${rolling.id}/assessment`)).body;

      expect(a.implementation).toMatchObject({ mode: 'all-at-once', waves: [hosts.map((h) => id[h])], assumed: 'all 3 touched CIs down at once' });
      expect(a.blastRadius.impacted.find((i: { id: string }) => i.id === id.checkout).state).toBe('down');
      expect(a.blastRadius.summary).toMatchObject({ worstTier: 1, worstTierState: 'down' });

      expect(r.implementation.mode).toBe('rolling');
      expect(r.implementation.waves).toEqual(hosts.map((h) => [id[h]]));
      expect(r.implementation.assumed).toMatch(/^rolling in 3 waves, one member of each redundancy group down at a time/);
      expect(r.blastRadius.impacted.find((i: { id: string }) => i.id === id['orders-db'])).toMatchObject({ state: 'degraded', reason: 'orders-db-hosts: 2 of 3 up, needs 2 → degraded' });
      // Down: each host in its own wave, nothing else.
      expect(r.blastRadius.summary).toMatchObject({ worstTier: 1, worstTierState: 'degraded', down: 3 });
      expect(r.blastRadius.impacted.filter((i: { state: string }) => i.state === 'down').map((i: { id: string }) => i.id).sort()).toEqual(hosts.map((h) => id[h]).sort());
      expect(r.risk.score).toBeLessThan(a.risk.score);
      // "Show on map" draws each change as it will be implemented.
      const mapOf = async (c: { id: string }) => (await api('/api/v1/graph/impact', { body: { change: c.id } })).body.states;
      expect((await mapOf(allAtOnce))[id.checkout]).toBe('down');
      expect((await mapOf(rolling))[id.checkout]).toBe('degraded');
      expect((await mapOf(rolling))[id['orders-db']]).toBe('degraded');
      // Hosts with no redundancy go together in the first wave.
      const mixed = await change({ title: 'mixed rolling', cis: ['db-1', 's-1', 'db-2'], implementation: 'rolling' });
      expect((await api(`/api/v1/changes/${mixed.id}/assessment`)).body.implementation.waves).toEqual([[id['db-1'], id['s-1']], [id['db-2']]]);
      for (const c of [allAtOnce, rolling, mixed]) await patch(`/api/v1/changes/${c.id}`, { status: 'cancelled' });
    });

    it('an open change is re-assessed when another change starts to collide with it or the graph changes, and keeps its history', async () => {
      const window = { start: at(72), end: at(74) };
      const first = await change({ title: 'orders-db upgrade', cis: ['orders-db'], window });
      expect(first.assessment.collisions).toEqual([]);
      const second = await change({ title: 'checkout release', cis: ['checkout'], window: { start: at(73), end: at(75) } });
      expect(second.assessment.collisions).toEqual([first.id]);
      const collided = await until(() => api(`/api/v1/changes/${first.id}`), (x) => x.body.assessment.collisions.includes(second.id));
      expect(collided.body.timeline.at(-1)).toMatchObject({ kind: 'assessment', by: null, text: expect.stringContaining(`now collides with ${second.id}`) });

      // Approved, then the graph grows a new tier-1 dependent of orders-db owned by another team: back to planned.
      for (const team of ['commerce', 'digital']) await api(`/api/v1/changes/${first.id}/approvals`, { body: { team, decision: 'approve' }, token: await approver(team) });
      expect((await api(`/api/v1/changes/${first.id}`)).body.status).toBe('approved');
      await s.api('/api/v1/ingest', { body: { source: 'manual', scope: 'payments', cis: [svc('payments', 1, 'payments'), svc('orders-db', 2, 'dba', 'database')], relations: [{ type: 'DEPENDS_ON', from: ref('payments'), to: ref('orders-db', 'database') }] } });
      const replanned = await until(() => api(`/api/v1/changes/${first.id}`), (x) => x.body.status === 'planned');
      expect(replanned.body.assessment.approvalTeams).toEqual(['commerce', 'digital', 'payments']);
      expect(replanned.body.approvalTeams.find((t: { team: string }) => t.team === 'payments')).toMatchObject({ decision: null });
      const kinds = replanned.body.timeline.map((e: { kind: string }) => e.kind);
      expect(kinds.filter((k: string) => k === 'assessment').length).toBeGreaterThanOrEqual(3);
      expect(replanned.body.timeline.at(-1).text).toMatch(/^approved → planned: the approvers changed, waiting for payments/);

      // Asked for: kept in the history even when nothing moved.
      const before = kinds.length;
      expect((await api(`/api/v1/changes/${first.id}/assessment`, { method: 'POST' })).status).toBe(200);
      expect((await api(`/api/v1/changes/${first.id}`)).body.timeline.length).toBe(before + 1);
      expect((await api(`/api/v1/changes/${first.id}/assessment`, { method: 'POST', token: viewer })).status).toBe(403);

      // Rescheduling away from the other change ends the collision, for both.
      const moved = (await patch(`/api/v1/changes/${first.id}`, { window: { start: at(96), end: at(98) } })).body;
      expect(moved.assessment.collisions).toEqual([]);
      await until(() => api(`/api/v1/changes/${second.id}`), (x) => x.body.assessment.collisions.length === 0);
      expect((await api(`/api/v1/changes/${second.id}`)).body.assessment.collisions).toEqual([]);
      for (const c of [first, second]) await patch(`/api/v1/changes/${c.id}`, { status: 'cancelled' });
    });

    it('lists by status, type and CI with cursor paging', async () => {
      const c = await change({ title: 'listed', cis: ['search'] });
      expect((await api(`/api/v1/changes?ci=${id.search}&status=planned`)).body.items.map((x: { id: string }) => x.id)).toEqual([c.id]);
      expect((await api(`/api/v1/changes?ci=${id.search}&type=emergency`)).body.items).toEqual([]);
      const first = (await api('/api/v1/changes?limit=1')).body;
      expect(first.items).toHaveLength(1);
      const second = (await api(`/api/v1/changes?limit=1&cursor=${first.nextCursor}`)).body;
      expect(second.items[0].id).not.toBe(first.items[0].id);
      expect((await api('/api/v1/changes?status=done')).status).toBe(400);
      await patch(`/api/v1/changes/${c.id}`, { status: 'cancelled' });
    });

    it('finds changes by words of their title, id, description or recorder, every word needed, any case', async () => {
      const c = await change({ title: 'Rotate the Search TLS certificates', cis: ['search'] });
      const found = async (q: string) => (await api(`/api/v1/changes?q=${encodeURIComponent(q)}`)).body.items.map((x: { id: string }) => x.id);
      expect(await found('tls search')).toEqual([c.id]);
      expect(await found(c.id.slice(4).toLowerCase())).toEqual([c.id]);
      expect(await found('tls orders')).toEqual([]);
      // With the other filters: a cancelled change is found when its status is asked for.
      await patch(`/api/v1/changes/${c.id}`, { status: 'cancelled' });
      expect((await api(`/api/v1/changes?q=tls&status=cancelled&ci=${id.search}`)).body.items.map((x: { id: string }) => x.id)).toEqual([c.id]);
      expect((await api('/api/v1/changes?q=tls&status=planned')).body.items).toEqual([]);
      expect((await api(`/api/v1/changes?q=${'x'.repeat(201)}`)).status).toBe(400);
    });
  });

  describe('the change calendar', () => {
    it('lists the changes, maintenance and blackout windows of a range with their collisions', async () => {
      const day = 24 * H;
      const base = Date.parse('2030-03-04T00:00:00Z');
      const iso = (ms: number) => new Date(ms).toISOString();
      const a = await change({ title: 'calendar a', cis: ['orders-db'], window: { start: iso(base + 10 * H), end: iso(base + 12 * H) } });
      const b = await change({ title: 'calendar b', cis: ['checkout'], window: { start: iso(base + 11 * H), end: iso(base + 13 * H) } });
      const later = await change({ title: 'next week', cis: ['search'], window: { start: iso(base + 8 * day), end: iso(base + 8 * day + H) } });
      const cancelled = await change({ title: 'called off', cis: ['search'], window: { start: iso(base + day), end: iso(base + day + H) } });
      await patch(`/api/v1/changes/${cancelled.id}`, { status: 'cancelled' });
      const freeze = await api('/api/v1/windows', { body: { title: 'freeze', kind: 'blackout', start: iso(base + 5 * day), end: iso(base + 6 * day) } });
      await until(() => api(`/api/v1/changes/${a.id}`), (x) => x.body.assessment.collisions.includes(b.id));

      const week = await api(`/api/v1/calendar?from=${iso(base)}&to=${iso(base + 7 * day)}`, { token: viewer });
      expect(week.status).toBe(200);
      expect(week.body.changes.map((c: { id: string }) => c.id)).toEqual([a.id, b.id]);
      expect(week.body.changes[0]).toMatchObject({ title: 'calendar a', status: 'planned', risk: { score: expect.any(Number) }, collisions: [b.id] });
      expect(week.body.windows.map((w: { id: string }) => w.id)).toEqual([freeze.body.id]);
      expect(week.body.collisions).toEqual([{ changes: [a.id, b.id].sort(), sharedServices: [], sharedCis: [] }]);
      expect((await api(`/api/v1/calendar?from=${iso(base + 7 * day)}&to=${iso(base + 14 * day)}`)).body.changes.map((c: { id: string }) => c.id)).toEqual([later.id]);

      expect((await api(`/api/v1/calendar?from=${iso(base)}&to=${iso(base + 100 * day)}`)).status).toBe(400);
      expect((await api(`/api/v1/calendar?from=${iso(base)}&to=${iso(base - day)}`)).status).toBe(400);
      expect((await api('/api/v1/calendar?from=monday')).status).toBe(400);
      for (const c of [a, b, later]) await patch(`/api/v1/changes/${c.id}`, { status: 'cancelled' });
    });
  });

  it('reports the re-assessment loop on /healthz', async () => {
    const h = await fetch(`${s.url}/healthz`).then((r) => r.json());
    expect(h.reassessor).toMatchObject({ failures: 0, lastError: null, recomputed: expect.any(Number) });
    expect(h.reassessor.recomputed).toBeGreaterThan(0);
  });
});
