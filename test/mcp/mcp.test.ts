import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Agents over MCP, with the SDK's own client, against a running server with the demo estate:
 * the tools a token's role may use, the same answers as the REST API, the same errors, bounded replies.
 */
const root = join(import.meta.dirname, '..', '..');
let srv: TestServer;
let viewer: string;
let manager: string;
const clients: Client[] = [];

async function httpClient(token: string): Promise<Client> {
  const client = new Client({ name: 'servicegraph-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(srv.url + '/mcp'), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  clients.push(client);
  return client;
}

async function stdioClient(token: string, extra: string[] = []): Promise<Client> {
  const client = new Client({ name: 'servicegraph-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({
    command: process.execPath, args: [join(root, 'bin', 'servicegraph.js'), 'mcp', '--server', srv.url, '--token', token, ...extra],
    cwd: root, stderr: 'pipe',
  }));
  clients.push(client);
  return client;
}

/** A tool's reply: the JSON text every tool answers with. */
async function call(client: Client, name: string, args: Record<string, unknown>): Promise<any> {
  const r = await client.callTool({ name, arguments: args });
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  const text = (r.content as { type: string; text: string }[])[0].text;
  return JSON.parse(text);
}

/** A database many services need: the first whose blast radius reaches 20 services (the demo is layered: most reach a few). */
async function busyDatabase(): Promise<{ id: string; name: string; environment: string }> {
  const dbs = (await srv.api('/api/v1/cis?class=database&limit=50')).body.items as { id: string; name: string; environment: string }[];
  for (const db of dbs) {
    const r = await srv.api('/api/v1/impact', { body: { failed: [{ ci: db.id, state: 'down' }], limit: 1 } });
    if (r.body.summary.services >= 20) return db;
  }
  throw new Error('the demo has no database that services need');
}

beforeAll(async () => {
  srv = await startTestServer({ demo: true });
  viewer = await srv.tokenFor('viewer');
  manager = await srv.tokenFor('change-manager');
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await srv?.close();
});

describe('MCP over Streamable HTTP at /mcp', () => {
  it('asks for a token before reading anything, and refuses a collector token (it reads nothing)', async () => {
    const none = await fetch(srv.url + '/mcp', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('unauthenticated');
    const collector = await srv.tokenFor('collector');
    const refused = await fetch(srv.url + '/mcp', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${collector}` }, body: '{}' });
    expect(refused.status).toBe(403);
  });

  it('shows a viewer only read-only tools; a change manager may also record the change it assesses', async () => {
    const asViewer = (await (await httpClient(viewer)).listTools()).tools;
    expect(asViewer.map((t) => t.name)).toEqual(['search_cis', 'get_ci', 'service_map', 'blast_radius', 'incident_priority', 'assess_change', 'root_cause', 'what_changed', 'situations', 'incidents']);
    for (const t of asViewer) expect(t.annotations?.readOnlyHint, t.name).toBe(true);
    expect(Object.keys(asViewer.find((t) => t.name === 'assess_change')!.inputSchema.properties ?? {})).not.toContain('create');

    const asManager = (await (await httpClient(manager)).listTools()).tools;
    const assess = asManager.find((t) => t.name === 'assess_change')!;
    expect(Object.keys(assess.inputSchema.properties ?? {})).toContain('create');
    expect(assess.annotations?.readOnlyHint).toBe(false);
    for (const name of ['add_incident_note', 'decide_change']) expect(asManager.find((t) => t.name === name)?.annotations?.readOnlyHint, name).toBe(false);
  });

  it('says of every input what it is, so a model needs no guess (ids or names, units, defaults)', async () => {
    const tools = (await (await httpClient(manager)).listTools()).tools;
    const unsaid = tools.flatMap((t) => Object.entries(t.inputSchema.properties ?? {})
      .filter(([, p]) => !(p as { description?: string }).description).map(([k]) => `${t.name}.${k}`));
    expect(unsaid).toEqual([]);
  });

  it('answers blast_radius as POST /api/v1/impact does, by tier, with totals and the time', async () => {
    const db = await busyDatabase();
    const rest = (await srv.api('/api/v1/impact', { body: { failed: [{ ci: db.id, state: 'down' }], limit: 50 }, token: viewer })).body;
    const mcp = await call(await httpClient(viewer), 'blast_radius', { failed: [{ ci: db.name }], environment: db.environment, limit: 50 });
    expect(mcp.failed[0].id).toBe(db.id);
    expect(mcp.summary.services).toBe(rest.summary.services);
    expect(mcp.summary.impactedCis).toBe(rest.total);
    expect(mcp.summary.down).toBe(rest.summary.down);
    expect(mcp.summary.degraded).toBe(rest.summary.degraded);
    const listed = mcp.services as { id: string; state: string; reason?: string }[];
    expect(new Map(listed.map((s) => [s.id, s.state]))).toEqual(new Map((rest.services as { id: string; state: string }[]).slice(0, 50).map((s) => [s.id, s.state])));
    expect(listed.every((s) => typeof s.reason === 'string' && s.reason.length > 0)).toBe(true);
    expect(Date.parse(mcp.asOf)).toBeGreaterThan(Date.now() - 60_000);
    expect(mcp.truncated).toBe(rest.summary.services > 50 || rest.truncated);
  });

  it('answers assess_change as the what-if assessment of the API, and records nothing for a viewer', async () => {
    const db = await busyDatabase();
    const window = { start: new Date(Date.now() + 86_400_000).toISOString(), end: new Date(Date.now() + 90_000_000).toISOString() };
    const before = (await srv.api('/api/v1/changes', { token: viewer })).body.items.length;
    const rest = (await srv.api('/api/v1/changes/assess', { body: { title: 'patch', type: 'normal', window, cis: [db.id] }, token: viewer })).body;
    const mcp = await call(await httpClient(viewer), 'assess_change', { cis: [db.id], window, type: 'normal', title: 'patch' });
    expect(mcp.risk.score).toBe(rest.risk.score);
    expect(mcp.risk.factors).toEqual(rest.risk.factors);
    expect(mcp.approvers.map((a: { team: string }) => a.team)).toEqual(rest.approvers.map((a: { team: string }) => a.team));
    expect(mcp.summary.services).toBe(rest.blastRadius.summary.services);
    expect(mcp.created).toBeNull();
    expect((await srv.api('/api/v1/changes', { token: viewer })).body.items.length).toBe(before);
  });

  it('records the change when a change manager passes create: true', async () => {
    const db = await busyDatabase();
    const window = { start: new Date(Date.now() + 2 * 86_400_000).toISOString(), end: new Date(Date.now() + 2 * 86_400_000 + 3_600_000).toISOString() };
    const mcp = await call(await httpClient(manager), 'assess_change', { cis: [db.id], window, title: 'agent-recorded change', create: true });
    expect(typeof mcp.created).toBe('string');
    const stored = await srv.api(`/api/v1/changes/${mcp.created}`, { token: viewer });
    expect(stored.status).toBe(200);
    expect(stored.body.title).toBe('agent-recorded change');
  });

  it('answers root_cause as POST /api/v1/root-cause does for the same incidents', async () => {
    const db = await busyDatabase();
    const services = (await srv.api('/api/v1/impact', { body: { failed: [{ ci: db.id, state: 'down' }], limit: 3 } })).body.services as { id: string }[];
    const ids: string[] = [];
    for (const s of services.slice(0, 3)) {
      const r = await srv.api('/api/v1/incidents', { body: { title: `symptom on ${s.id}`, cis: [{ ci: s.id, state: 'down' }], urgency: 2 } });
      ids.push(r.body.id);
    }
    const rest = (await srv.api('/api/v1/root-cause', { body: { incidents: ids, limit: 5 }, token: viewer })).body;
    const mcp = await call(await httpClient(viewer), 'root_cause', { incidents: ids, limit: 5 });
    expect(mcp.candidates.map((c: { id: string }) => c.id)).toEqual(rest.candidates.map((c: { id: string }) => c.id));
    expect(mcp.candidates[0].explains).toEqual(rest.candidates[0].explains);
    // Paths read by name, from the candidate to the symptom.
    const named = (p: string[]) => p.map((id) => rest.nodes[id].name).join(' → ');
    expect(mcp.candidates[0].paths).toEqual(rest.candidates[0].paths.slice(0, 5).map(named));
    expect(mcp.candidates[0].paths[0]).toMatch(new RegExp(`^${rest.candidates[0].name} → `));
    expect(mcp.candidates.length).toBeGreaterThan(0);
  });

  it('reports a failed call as a tool error carrying the API\'s own error', async () => {
    const rest = await srv.api('/api/v1/root-cause', { body: { incidents: ['incident-nope'] }, token: viewer });
    expect(rest.status).toBe(404);
    const client = await httpClient(viewer);
    const failed = async (name: string, args: Record<string, unknown>) => {
      const r = await client.callTool({ name, arguments: args });
      expect(r.isError).toBe(true);
      return JSON.parse((r.content as { text: string }[])[0].text).error;
    };
    expect(await failed('root_cause', { incidents: ['incident-nope'] })).toEqual({ status: 404, ...rest.body.error });
    expect((await failed('get_ci', { ci: 'no-such-ci-anywhere' })).message).toBe('no CI named or with id no-such-ci-anywhere');
    // A change manager's write is refused to a viewer by the API itself, not only hidden.
    const window = { start: new Date(Date.now() + 86_400_000).toISOString(), end: new Date(Date.now() + 90_000_000).toISOString() };
    const db = await busyDatabase();
    const changesBefore = (await srv.api('/api/v1/changes', { token: viewer })).body.items.length;
    const restWrite = await srv.api('/api/v1/changes', { body: { title: 'patch', type: 'normal', window, cis: [db.id] }, token: viewer });
    expect(restWrite.status).toBe(403);
    // Refused with the API's status and code, not answered as a read with the write left out.
    expect(await failed('assess_change', { cis: [db.id], window, create: true })).toEqual({
      status: 403, code: restWrite.body.error.code, message: 'create needs the change-manager role; the token has viewer',
    });
    expect((await srv.api('/api/v1/changes', { token: viewer })).body.items.length).toBe(changesBefore);
    // Asking for no write is a read, as before.
    expect((await call(client, 'assess_change', { cis: [db.id], window, create: false })).created).toBeNull();
  });

  it('answers situations as GET /api/v1/situations does: a storm on a database is one situation caused by it', async () => {
    const db = await busyDatabase();
    const deps = ((await srv.api('/api/v1/impact', { body: { failed: [{ ci: db.id, state: 'down' }], limit: 200 } })).body.impacted as { id: string; name: string; class: string; depth: number }[])
      .filter((c) => c.class === 'service' && c.depth > 0).slice(0, 8);
    const startsAt = new Date(Date.now() - 30_000).toISOString();
    const alert = (fingerprint: string, service: string, severity: string) =>
      ({ source: 'mcp-test', fingerprint, status: 'firing', severity, labels: { alertname: severity === 'critical' ? 'PostgresqlDown' : 'HighErrorRate', service, environment: db.environment }, annotations: { summary: `${service} alerting` }, startsAt });
    const sent = await srv.api('/api/v1/alerts', { body: { alerts: [alert('db', db.name, 'critical'), ...deps.map((d) => alert(d.id, d.name, 'warning'))] }, token: await srv.tokenFor('collector') });
    expect(sent.status).toBe(200);

    const rest = (await srv.api('/api/v1/situations?status=open&limit=10', { token: viewer })).body;
    const mcp = await call(await httpClient(viewer), 'situations', {});
    expect(mcp.situations.map((x: { id: string }) => x.id)).toEqual(rest.items.map((x: { id: string }) => x.id));
    const storm = mcp.situations.find((x: { cause: { id: string } }) => x.cause.id === db.id);
    expect(storm).toMatchObject({ cause: { name: db.name }, alertCount: deps.length + 1 });
    expect(storm.priority.priority).toMatch(/^P[1-4]$/);
    expect(mcp.alertingNow.cis).toBeGreaterThan(0);
    const one = await call(await httpClient(viewer), 'situations', { id: storm.id });
    expect(one.situation.id).toBe(storm.id);
    expect(one.timeline.length).toBeGreaterThan(0);
  });

  it('gives the map around a CI as an adjacency list with names, and serves it as a resource', async () => {
    const db = await busyDatabase();
    const client = await httpClient(viewer);
    const map = await call(client, 'service_map', { focus: [db.id], direction: 'upstream', depth: 2, groupAbove: 5 });
    expect(map.nodes.find((n: { id: string }) => n.id === db.id).name).toBe(db.name);
    const edges = map.nodes.flatMap((n: { out: { type: string; to: string }[] }) => n.out);
    expect(edges.some((e: { to: string }) => e.to === db.id)).toBe(true);
    expect(map.totals.nodes).toBe(map.nodes.length);

    const res = await client.readResource({ uri: `servicegraph://ci/${db.id}` });
    const ci = JSON.parse((res.contents[0] as { text: string }).text);
    expect(ci.ci.name).toBe(db.name);
    expect(ci.relations.some((r: { reads: string }) => r.reads.endsWith(` ${db.name}`))).toBe(true);
    const mapRes = await client.readResource({ uri: `servicegraph://map/${db.id}` });
    expect(JSON.parse((mapRes.contents[0] as { text: string }).text).focus[0].id).toBe(db.id);
  });

  it('says when a map is cut: how many CIs it shows of how many the question reaches, and how to see the rest', async () => {
    const db = await busyDatabase();
    const client = await httpClient(viewer);
    const ask = { focus: [db.id], direction: 'both', depth: 3, groupAbove: 5 };
    const cis = (nodes: { group?: { count: number } }[]) => nodes.reduce((n, x) => n + (x.group ? x.group.count : 1), 0);
    const whole = (await srv.api(`/api/v1/graph?focus=${db.id}&direction=both&depth=3&groupThreshold=5&maxNodes=5000`, { token: viewer })).body;
    expect(whole.truncated).toBe(false);
    const reached = cis(whole.nodes);
    expect(reached).toBeGreaterThan(20);

    const cut = await call(client, 'service_map', { ...ask, maxNodes: 20 });

    const rest = (await srv.api(`/api/v1/graph?focus=${db.id}&direction=both&depth=3&groupThreshold=5&maxNodes=20`, { token: viewer })).body;
    expect(cut.truncated).toBe(true);
    expect(cut.leftOut.shownCis).toBe(cis(rest.nodes));
    expect(cut.leftOut.shownCis).toBeLessThanOrEqual(20);
    expect(cut.leftOut.reachedCis).toBe(reached);
    expect(cut.leftOut.reachedAtLeast).toBeUndefined();
    expect(cut.leftOut.why).toBe(rest.truncation.message);
    expect(cut.leftOut.toSeeMore[0]).toMatch(/^maxNodes up to 5000/);
    expect(cut.leftOut.toSeeMore.slice(1, 3)).toEqual(['depth 2 (asked 3)', 'direction upstream or downstream (asked both)']);
    expect(cut.leftOut.toSeeMore[3]).toMatch(/^classes: .*reached by class: [a-z_]+ \d+/);

    // Asked for as many as it reaches (more than the 2,000 the tool took before, when the demo reaches that many), the map is whole.
    const all = await call(client, 'service_map', { ...ask, maxNodes: Math.max(reached, 2_500) });
    expect(all.truncated).toBe(false);
    expect(all.leftOut).toBeUndefined();
    expect(all.totals.nodes - all.totals.groups + all.totals.cisInGroups).toBe(reached);
  });
});

describe("each role's task through MCP, end to end", () => {
  const window = () => ({ start: new Date(Date.now() + 30 * 3600_000).toISOString(), end: new Date(Date.now() + 32 * 3600_000).toISOString() });

  it("the change manager: assesses and records a change by the CI's name, each approver team approves it, and a viewer cannot", async () => {
    const db = await busyDatabase();
    const asManager = await httpClient(manager);
    const assessed = await call(asManager, 'assess_change', { cis: [db.name], environment: db.environment, window: window(), title: 'agent: patch the database', create: true });
    const id = assessed.created as string;
    const teams = (await srv.api(`/api/v1/changes/${id}`)).body.approvalTeams.map((t: { team: string }) => t.team) as string[];
    expect(teams.length).toBeGreaterThan(0);
    expect(assessed.approvers.map((a: { team: string }) => a.team).sort()).toEqual([...teams].sort());

    // A viewer's agent is shown no such tool, and its call changes nothing.
    const asViewer = await httpClient(viewer);
    expect((await asViewer.listTools()).tools.map((t) => t.name)).not.toContain('decide_change');
    const refused = await asViewer.callTool({ name: 'decide_change', arguments: { change: id, decision: 'approve', team: teams[0] } }).catch((e: Error) => ({ isError: true, content: [{ text: e.message }] }));
    expect(refused.isError).toBe(true);
    expect((await srv.api(`/api/v1/changes/${id}`)).body.approvalTeams.every((t: { decision: string | null }) => t.decision === null)).toBe(true);

    // A change manager of another team is refused by the API, in its own words.
    const other = await httpClient(await srv.tokenFor('change-manager', 'not-an-approver'));
    const wrong = await other.callTool({ name: 'decide_change', arguments: { change: id, decision: 'approve', team: teams[0] } });
    expect(wrong.isError).toBe(true);
    const rest = await srv.api(`/api/v1/changes/${id}/approvals`, { body: { team: teams[0], decision: 'approve' }, token: await srv.tokenFor('change-manager', 'not-an-approver') });
    expect(JSON.parse((wrong.content as { text: string }[])[0].text).error).toEqual({ status: rest.status, ...rest.body.error });

    // Each team's own change manager approves with the team its token carries.
    let last: any;
    for (const team of teams) last = await call(await httpClient(await srv.tokenFor('change-manager', team)), 'decide_change', { change: id, decision: 'approve' });
    expect(last.change).toMatchObject({ id, status: 'approved' });
    expect(last.approvalTeams.map((t: { decision: string }) => t.decision)).toEqual(teams.map(() => 'approve'));
    expect((await srv.api(`/api/v1/changes/${id}`)).body.status).toBe('approved');
  }, 60_000);

  it('the problem analyst: lists the incidents, finds what they share and what changed there, and notes the conclusion on each; a viewer cannot note', async () => {
    const db = await busyDatabase();
    expect((await srv.api('/api/v1/ingest', { token: await srv.tokenFor('collector'), body: { source: 'dba-notes', scope: 'mcp-rca', cis: [{ class: 'database', name: db.name, environment: db.environment, attributes: { max_connections: '40' } }] } })).status).toBe(200);
    const services = (await srv.api('/api/v1/impact', { body: { failed: [{ ci: db.id, state: 'down' }], limit: 5 } })).body.services as { id: string; name: string }[];
    for (const svc of services.slice(0, 5)) await srv.api('/api/v1/incidents', { body: { title: `mcp analyst: ${svc.name} slow`, cis: [{ ci: svc.id, state: 'degraded' }], urgency: 2 } });

    const asViewer = await httpClient(viewer);
    const listed = await call(asViewer, 'incidents', { limit: 100 });
    const mine = (listed.items as { id: string; title: string; priority: string }[]).filter((i) => i.title.startsWith('mcp analyst: '));
    expect(mine).toHaveLength(5);
    expect(mine[0].priority).toMatch(/^P[1-4]$/);
    // By a failing CI's name, as an agent knows it: a service and its workload share names in the demo, and the
    // refusal lists both with their ids and classes, so the agent picks the service's.
    const byName = await asViewer.callTool({ name: 'incidents', arguments: { ci: services[0].name, environment: db.environment } });
    const ambiguous = byName.isError ? JSON.parse((byName.content as { text: string }[])[0].text).error : null;
    if (ambiguous) expect(ambiguous.message).toContain(`${services[0].id} ${services[0].name} (service, ${db.environment})`);
    const byCi = ambiguous ? await call(asViewer, 'incidents', { ci: services[0].id }) : JSON.parse((byName.content as { text: string }[])[0].text);
    expect(byCi.items.map((i: { title: string }) => i.title)).toContain(`mcp analyst: ${services[0].name} slow`);

    const rca = await call(asViewer, 'root_cause', { incidents: mine.map((i) => i.id), limit: 20 });
    const rest = (await srv.api('/api/v1/root-cause', { body: { incidents: mine.map((i) => i.id), limit: 20 }, token: viewer })).body;
    expect(rca.candidates.map((c: { id: string }) => c.id)).toEqual(rest.candidates.map((c: { id: string }) => c.id));
    // The database explains all five, and what changed on it just before is told.
    const top = rca.candidates.find((c: { id: string }) => c.id === db.id);
    expect(top.explains).toHaveLength(5);
    expect(JSON.stringify(top.recentChanges)).toContain('max_connections');

    const conclusion = `Probable root cause: ${top.name}; max_connections lowered to 40 just before.`;
    const viewerNote = await asViewer.callTool({ name: 'add_incident_note', arguments: { incidents: mine.map((i) => i.id), text: conclusion } }).catch((e: Error) => ({ isError: true, content: [{ text: e.message }] }));
    expect(viewerNote.isError).toBe(true);
    const noted = await call(await httpClient(manager), 'add_incident_note', { incidents: mine.map((i) => i.id), text: conclusion });
    expect(noted.noted).toEqual(mine.map((i) => i.id));
    for (const i of mine) {
      const timeline = (await srv.api(`/api/v1/incidents/${i.id}`)).body.timeline as { kind: string; text: string }[];
      expect(timeline.filter((t) => t.kind === 'note').map((t) => t.text)).toEqual([conclusion]);
    }
    // An unknown incident among them: the API's 404, saying which were noted before it.
    const bad = await (await httpClient(manager)).callTool({ name: 'add_incident_note', arguments: { incidents: [mine[0].id, 'inc-nope'], text: 'second look' } });
    expect(bad.isError).toBe(true);
    const error = JSON.parse((bad.content as { text: string }[])[0].text).error;
    expect(error).toMatchObject({ status: 404, details: { incident: 'inc-nope', noted: [mine[0].id] } });
  }, 60_000);
});

describe('servicegraph mcp over stdio', () => {
  it('serves the same tools to a desktop agent, with the same answers as the API', async () => {
    const client = await stdioClient(viewer);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('blast_radius');
    const db = await busyDatabase();
    const rest = (await srv.api('/api/v1/impact', { body: { failed: [{ ci: db.id, state: 'degraded' }], limit: 20 }, token: viewer })).body;
    const mcp = await call(client, 'blast_radius', { failed: [{ ci: db.id, state: 'degraded' }], limit: 20 });
    expect(mcp.summary.services).toBe(rest.summary.services);
    const found = await call(client, 'search_cis', { text: db.name, class: ['database'] });
    expect(found.items.map((c: { id: string }) => c.id)).toContain(db.id);
  }, 60_000);

  it('keeps every reply under the configured size and says what it left out', async () => {
    const client = await stdioClient(viewer, ['--max-reply-bytes', '4096']);
    const db = await busyDatabase();
    const r = await client.callTool({ name: 'blast_radius', arguments: { failed: [{ ci: db.id }], limit: 500 } });
    const text = (r.content as { text: string }[])[0].text;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096);
    const body = JSON.parse(text);
    expect(body.truncated).toBe(true);
    expect(body.omitted, text).toBeDefined();
    expect(Object.keys(body.omitted).length).toBeGreaterThan(0);
    expect(body.summary.services).toBeGreaterThan(0);
  }, 60_000);
});
