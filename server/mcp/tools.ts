import { z } from 'zod';
import { CiClassName } from '../model/classes.ts';
import { FailState } from '../model/impact.ts';
import { ApprovalDecision, ChangeType, TimeWindow } from '../model/changes.ts';
import { IncidentStatus, Priority } from '../model/incidents.ts';
import type { Role } from '../model/records.ts';
import { ApiCallError, expectOk, type ApiCall } from './api-call.ts';
import { compactCi, compactDiff, compactImpact, compactMap, compactRootCause, mapLeftOut, type CompactCi } from './compact.ts';
import { defaultLimits } from '../model/limits.ts';

/**
 * The MCP tools: each one REST call (or two) and a compaction of its answer. They ask the API,
 * never the store, so an agent's answers, permissions and error messages are a person's.
 */
export interface ToolContext { api: ApiCall; role: Role; now: () => string }

export interface ToolDef<S extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  /** The schema a viewer sees; `writeInput` replaces it for roles that may write. */
  input: S;
  minRole: Role;
  /** The tool writes whatever its input (a note, an approval): only roles of `minRole` and above see it. */
  writes?: true;
  /** When the tool can also write for a role of at least this rank, the schema that role gets. */
  write?: { minRole: Role; input: z.ZodObject };
  run(ctx: ToolContext, args: any): Promise<Record<string, unknown>>;
}

const Ref = z.string().min(1).max(300).describe('a CI id, or its exact name (add `environment` when several environments hold it). A name several CIs share, such as a service and its Kubernetes workload, is refused with each one listed by id and class: pass the id');
const Environment = z.string().max(100).optional().describe('narrows a CI given by name to one environment');
const Time = z.iso.datetime({ offset: true }).describe('an ISO 8601 time with its offset, e.g. 2026-12-07T09:00:00Z');

/** An id, or an exact name (narrowed by environment): what an agent usually knows of a CI. */
export async function resolveCi(api: ApiCall, ref: string, environment?: string): Promise<CompactCi> {
  const byId = await api({ method: 'GET', path: `/api/v1/cis/${encodeURIComponent(ref)}` });
  if (byId.status === 200) return compactCi(byId.body);
  if (byId.status !== 404 && byId.status !== 400) expectOk(byId);
  const found = expectOk(await api({ method: 'GET', path: '/api/v1/cis', query: { q: ref, environment, limit: 50 } }));
  const exact = (found.items as any[]).filter((c) => c.name === ref);
  if (exact.length === 1) return compactCi(exact[0]);
  const list = (cs: any[]) => cs.slice(0, 10).map((c) => `${c.id} ${c.name} (${c.class}, ${c.environment ?? 'no environment'})`).join('; ');
  if (exact.length > 1) throw new ApiCallError(400, 'ambiguous_ci', `${exact.length} CIs are named ${ref}: pass an id or an environment. ${list(exact)}`);
  throw new ApiCallError(404, 'not_found', found.items.length ? `no CI named ${ref}; similar: ${list(found.items)}` : `no CI named or with id ${ref}`);
}

const resolveAll = (ctx: ToolContext, refs: string[], environment?: string) => Promise.all(refs.map((r) => resolveCi(ctx.api, r, environment)));

const searchCis: ToolDef = {
  name: 'search_cis', title: 'Search configuration items', minRole: 'viewer',
  description: 'Find CIs (services, databases, hosts, pods, teams...) by text in their name, class, environment or owner. Paged: pass `cursor` from the previous answer for more.',
  input: z.object({
    text: z.string().max(200).optional().describe('part of the name'),
    class: z.array(CiClassName).max(20).optional().describe('only these classes, e.g. ["service", "database"]'),
    environment: z.string().max(100).optional().describe('only CIs of this environment, e.g. production'),
    owner: z.string().max(200).optional().describe('owning team'),
    limit: z.number().int().min(1).max(200).default(25).describe('CIs per page'),
    cursor: z.string().max(2000).optional().describe('nextCursor of the previous page'),
  }),
  async run(ctx, a) {
    const page = expectOk(await ctx.api({ method: 'GET', path: '/api/v1/cis', query: { q: a.text, class: a.class?.join(','), environment: a.environment, owner: a.owner, limit: a.limit, cursor: a.cursor } }));
    return { items: (page.items as any[]).map(compactCi), nextCursor: page.nextCursor ?? null, truncated: Boolean(page.nextCursor) };
  },
};

const getCi: ToolDef = {
  name: 'get_ci', title: 'One configuration item', minRole: 'viewer',
  description: 'A CI with its attributes, the sources that assert it, its relations named in English (checkout DEPENDS_ON payments-db), and a summary of its history.',
  input: z.object({ ci: Ref, environment: Environment, asOf: Time.optional().describe('the CI as it was then') }),
  async run(ctx, a) {
    const ci = await resolveCi(ctx.api, a.ci, a.environment);
    const d = expectOk(await ctx.api({ method: 'GET', path: `/api/v1/cis/${encodeURIComponent(ci.id)}`, query: { asOf: a.asOf } }));
    const ends = d.ends ?? {};
    const name = (id: string) => ends[id]?.name ?? id;
    const history = (d.history ?? []) as { validFrom: string; validTo: string | null }[];
    return {
      asOf: a.asOf ?? ctx.now(),
      ci: { ...compactCi(d), attributes: d.attributes ?? {}, identifiers: d.identifiers ?? {}, validFrom: d.validFrom },
      sources: (d.sources ?? []).map((s: any) => ({ source: s.source, scope: s.scope, firstSeen: s.firstSeen, lastSeen: s.lastSeen })),
      relations: [
        ...(d.relations?.outgoing ?? []).map((r: any) => ({ reads: `${d.name} ${r.type} ${name(r.to)}`, type: r.type, direction: 'outgoing', other: { id: r.to, name: name(r.to), class: ends[r.to]?.class } })),
        ...(d.relations?.incoming ?? []).map((r: any) => ({ reads: `${name(r.from)} ${r.type} ${d.name}`, type: r.type, direction: 'incoming', other: { id: r.from, name: name(r.from), class: ends[r.from]?.class } })),
      ],
      history: { versions: history.length, firstSeen: history.at(-1)?.validFrom ?? d.validFrom, lastChanged: history[0]?.validFrom ?? d.validFrom },
      truncated: Boolean(d.relations?.truncated),
    };
  },
};

/** The most CIs one map holds (the API's default cap; a server configured lower caps it there). */
const MAP_NODES_CAP = defaultLimits.graphNodes;

const serviceMap: ToolDef = {
  name: 'service_map', title: 'Service map around CIs', minRole: 'viewer',
  description: 'The dependency map around one or more CIs as a compact adjacency list (names, classes, relation types). downstream = what the focus relies on; upstream = what relies on it. More than `groupAbove` same-class neighbours of one CI become one group node with a count. A map cut at `maxNodes` says so in `leftOut`: how many CIs it shows of how many the question reaches, and how to see the rest (a larger maxNodes, less depth, a direction, classes).',
  input: z.object({
    focus: z.array(Ref).min(1).max(20).describe('the CIs the map is around, by id or exact name'),
    environment: Environment,
    direction: z.enum(['upstream', 'downstream', 'both']).default('downstream').describe('downstream: what the focus relies on; upstream: what relies on it'),
    depth: z.number().int().min(1).max(10).default(2).describe('relations followed from the focus'),
    classes: z.array(CiClassName).max(30).optional().describe('only these classes'),
    groupAbove: z.number().int().min(2).max(1000).default(10).describe('collapse more same-class neighbours than this into one group node'),
    maxNodes: z.number().int().min(1).max(MAP_NODES_CAP).default(150).describe('CIs in the map at most (a group node counts its members)'),
    asOf: Time.optional().describe('the map as it was then (default: now)'),
  }),
  async run(ctx, a) {
    const focus = await resolveAll(ctx, a.focus, a.environment);
    const graph = async (maxNodes: number) => expectOk(await ctx.api({ method: 'GET', path: '/api/v1/graph', query: {
      focus: focus.map((f) => f.id).join(','), direction: a.direction, depth: a.depth, classes: a.classes?.join(','),
      group: 'auto', groupThreshold: a.groupAbove, maxNodes, asOf: a.asOf,
    } }));
    const g = await graph(a.maxNodes);
    const head = { asOf: a.asOf ?? ctx.now(), focus, direction: a.direction, depth: a.depth };
    if (!g.truncated) return { ...head, ...compactMap(g) };
    // "How many of how many": the same question at the cap, counted and not returned (grouped, so it stays small).
    // A map cut only for its relations holds every CI already.
    const reached = g.truncation?.reason === 'edges' ? g : a.maxNodes < MAP_NODES_CAP ? await graph(MAP_NODES_CAP) : null;
    return { ...head, leftOut: mapLeftOut(g, reached, a, MAP_NODES_CAP), ...compactMap(g) };
  },
};

const FailedRef = z.object({ ci: Ref, state: FailState.default('down') });
const Failed = z.array(FailedRef).min(1).max(100).describe('the failing CIs (id or exact name), each down (the default) or degraded');

/** Failed CIs named by id or name, as the API takes them (`{ci: id, state}`), with what each resolved to. */
async function resolveFailed(ctx: ToolContext, failed: { ci: string; state: string }[], environment?: string) {
  const cis = await resolveAll(ctx, failed.map((f) => f.ci), environment);
  return { cis, failed: failed.map((f, i) => ({ ci: cis[i].id, state: f.state })) };
}

const blastRadius: ToolDef = {
  name: 'blast_radius', title: 'Blast radius of failing CIs', minRole: 'viewer',
  description: 'What goes down or degrades if these CIs fail: impacted services by tier with the reason for each (redundancy arithmetic), nearest and most critical first, capped, with totals.',
  input: z.object({
    failed: Failed,
    environment: Environment,
    limit: z.number().int().min(1).max(500).default(50).describe('services listed at most; the summary counts all'),
    asOf: Time.optional().describe('the estate as it was then (default: now)'),
  }),
  async run(ctx, a) {
    const { cis, failed } = await resolveFailed(ctx, a.failed, a.environment);
    // The impacted-CI list carries each reason; it is ordered nearest first while services go by tier,
    // so read a deeper list than the services shown to have the reason of each.
    const deeper = Math.min(2_000, Math.max(a.limit * 5, 250));
    const body = { failed, limit: deeper, ...(a.asOf ? { asOf: a.asOf } : {}) };
    const r = expectOk(await ctx.api({ method: 'POST', path: '/api/v1/impact', body }));
    return { asOf: r.asOf ?? ctx.now(), failed: cis.map((c, i) => ({ ...c, state: body.failed[i].state })), ...compactImpact(r, a.limit) };
  },
};

const incidentPriority: ToolDef = {
  name: 'incident_priority', title: 'Priority of an incident', minRole: 'viewer',
  description: 'The priority (P1-P4) an incident on these failing CIs would get from the shared impact x urgency matrix, with its reason and the services it hits. Records nothing.',
  input: z.object({
    failed: Failed,
    urgency: z.union([z.literal(1), z.literal(2), z.literal(3)]).describe('1 high ... 3 low'),
    environment: Environment,
  }),
  async run(ctx, a) {
    const { failed } = await resolveFailed(ctx, a.failed, a.environment);
    const v = expectOk(await ctx.api({ method: 'POST', path: '/api/v1/incidents/preview', body: {
      title: 'priority preview', urgency: a.urgency, cis: failed,
    } }));
    const impact = compactImpact({ ...v.impact, asOf: null }, 20);
    return { asOf: ctx.now(), priority: v.priority, ...impact };
  },
};

const ChangeArgs = z.object({
  cis: z.array(Ref).min(1).max(200).describe('the CIs the change touches'),
  environment: Environment,
  window: TimeWindow.describe('when the change happens (ISO times with offset)'),
  type: ChangeType.default('normal').describe('standard (pre-approved), normal (needs its approver teams) or emergency'),
  title: z.string().min(1).max(300).default('change assessed by an agent').describe('what the change does, as the change record is titled'),
  implementation: z.enum(['all-at-once', 'rolling']).optional()
    .describe('all-at-once (default): every touched CI down together; rolling: one member of each redundancy group at a time'),
});

const assessChange: ToolDef = {
  name: 'assess_change', title: 'Assess a change', minRole: 'viewer',
  description: 'Risk (0-100 with each factor), blast radius, collisions with other changes, blackout windows and the approver teams of a change to these CIs in this window. Read-only: nothing is recorded.',
  input: ChangeArgs,
  write: {
    minRole: 'change-manager',
    input: ChangeArgs.extend({ create: z.boolean().default(false).describe('also record the change (status planned) and return its id') }),
  },
  async run(ctx, a) {
    const cis = await resolveAll(ctx, a.cis, a.environment);
    const input = { title: a.title, type: a.type, window: a.window, cis: cis.map((c) => c.id), ...(a.implementation ? { implementation: a.implementation } : {}) };
    let assessment: any;
    let created: string | null = null;
    if (a.create === true) {
      const rec = expectOk(await ctx.api({ method: 'POST', path: '/api/v1/changes', body: input }));
      created = rec.id;
      assessment = expectOk(await ctx.api({ method: 'GET', path: `/api/v1/changes/${encodeURIComponent(rec.id)}/assessment` }));
    } else {
      assessment = expectOk(await ctx.api({ method: 'POST', path: '/api/v1/changes/assess', body: input }));
    }
    const blast = compactImpact({ ...assessment.blastRadius, asOf: null }, 30);
    return {
      asOf: ctx.now(), created, touched: cis,
      implementation: assessment.implementation ?? assessment.change?.implementation ?? 'all-at-once',
      risk: assessment.risk,
      collisions: (assessment.collisions ?? []).map((c: any) => ({ change: c.change, sharedServices: c.sharedServices.length, sharedCis: c.sharedCis })),
      blackouts: (assessment.blackouts ?? []).map((b: any) => ({ id: b.window.id, title: b.window.title, start: b.window.start, end: b.window.end, services: b.services.length })),
      approvers: (assessment.approvers ?? []).map((x: any) => ({ team: x.team, services: x.services.map((s: any) => s.name) })),
      insideMaintenanceWindow: assessment.insideMaintenanceWindow,
      ...blast,
    };
  },
};

const rootCause: ToolDef = {
  name: 'root_cause', title: 'Likely root cause', minRole: 'viewer',
  description: 'Ranks the upstream CIs that would explain several incidents (by id), or several failing CIs since a time, with what each explains, how (paths by name, from the candidate to each symptom: the way failure travels), and what changed on it shortly before.',
  input: z.object({
    incidents: z.array(z.string().min(1).max(100)).max(200).optional().describe('incident ids (inc-...; the incidents tool lists them)'),
    cis: z.array(Ref).max(200).optional().describe('symptom CIs, when there are no incident records'),
    since: Time.optional().describe('with `cis`: symptoms started after this time (default: one hour ago)'),
    environment: Environment,
    limit: z.number().int().min(1).max(20).default(5).describe('candidates listed at most, best first'),
  }),
  async run(ctx, a) {
    let body: Record<string, unknown>;
    if (a.incidents?.length) body = { incidents: a.incidents, limit: a.limit };
    else if (a.cis?.length) {
      const cis = await resolveAll(ctx, a.cis, a.environment);
      body = { cis: cis.map((c) => c.id), since: a.since ?? new Date(Date.parse(ctx.now()) - 3_600_000).toISOString(), limit: a.limit };
    } else throw new ApiCallError(400, 'invalid_input', 'give `incidents` (ids) or `cis` (symptom CIs)');
    const r = expectOk(await ctx.api({ method: 'POST', path: '/api/v1/root-cause', body }));
    return { asOf: ctx.now(), ...compactRootCause(r) };
  },
};

const incidents: ToolDef = {
  name: 'incidents', title: 'Incidents', minRole: 'viewer',
  description: 'Incident records, newest first: id, title, status, priority (P1-P4), when each started, its assignee team and how many services it hits. Filter by status, priority, a failing CI (id or exact name) and start time; paged with `cursor`. Their ids are what root_cause and add_incident_note take.',
  input: z.object({
    status: z.array(IncidentStatus).max(4).optional().describe('default: open and investigating'),
    priority: z.array(Priority).max(4).optional().describe('only these priorities, e.g. ["P1", "P2"]'),
    ci: Ref.optional().describe('only incidents naming this CI as failing'), environment: Environment,
    since: Time.optional().describe('started at or after this time'),
    limit: z.number().int().min(1).max(100).default(25).describe('incidents per page'),
    cursor: z.string().max(2000).optional().describe('nextCursor of the previous page'),
  }),
  async run(ctx, a) {
    const ci = a.ci ? await resolveCi(ctx.api, a.ci, a.environment) : null;
    const page = expectOk(await ctx.api({ method: 'GET', path: '/api/v1/incidents', query: {
      status: (a.status ?? ['open', 'investigating']).join(','), priority: a.priority?.join(','), ci: ci?.id, from: a.since, limit: a.limit, cursor: a.cursor,
    } }));
    return {
      asOf: ctx.now(), ci,
      items: (page.items as any[]).map((i) => ({ id: i.id, title: i.title, status: i.status, priority: i.priority.priority, startedAt: i.startedAt, assignee: i.assignee ?? null, impactedServices: i.impactedServices })),
      nextCursor: page.nextCursor ?? null, truncated: Boolean(page.nextCursor),
    };
  },
};

const addIncidentNote: ToolDef = {
  name: 'add_incident_note', title: 'Note on incidents', minRole: 'change-manager', writes: true,
  description: "Adds the same note to each incident's timeline, e.g. a root-cause conclusion on every incident it explains (what the cause is, what changed on it, why). The note is signed with this token's name. Notes on the incidents before a failed one stay; the error says which were noted.",
  input: z.object({
    incidents: z.array(z.string().min(1).max(100)).min(1).max(50).describe('incident ids'),
    text: z.string().trim().min(1).max(10_000).describe('the note, plain text (line breaks kept)'),
  }),
  async run(ctx, a) {
    const noted: string[] = [];
    for (const id of a.incidents as string[]) {
      const r = await ctx.api({ method: 'POST', path: `/api/v1/incidents/${encodeURIComponent(id)}/notes`, body: { text: a.text } });
      try { expectOk(r); } catch (e) {
        const err = e as ApiCallError;
        throw new ApiCallError(err.status, err.code, `${id}: ${err.message}${noted.length ? ` (noted on ${noted.join(', ')} before it; the rest not)` : ''}`, { ...(err.details ?? {}), incident: id, noted });
      }
      noted.push(id);
    }
    return { asOf: ctx.now(), noted };
  },
};

const decideChange: ToolDef = {
  name: 'decide_change', title: 'Approve or reject a change', minRole: 'change-manager', writes: true,
  description: "Records an approver team's decision on a change (the change manager's approval in a CAB). The token must be bound to that team; `team` defaults to the token's own. A normal change becomes approved once every approver team approved. Answers where each team stands and the change's status.",
  input: z.object({
    change: z.string().min(1).max(100).describe('the change id (chg-...)'),
    decision: ApprovalDecision.describe('approve or reject'),
    team: z.string().min(1).max(200).optional().describe("the approver team deciding; default: this token's team"),
    comment: z.string().max(2000).optional().describe('why, kept with the decision on the change'),
  }),
  async run(ctx, a) {
    const team = a.team ?? expectOk(await ctx.api({ method: 'GET', path: '/api/v1/whoami' })).team;
    if (!team) throw new ApiCallError(400, 'invalid_input', 'this token is bound to no team: pass `team` (an approver team the token belongs to)');
    const v = expectOk(await ctx.api({ method: 'POST', path: `/api/v1/changes/${encodeURIComponent(a.change)}/approvals`, body: { team, decision: a.decision, ...(a.comment ? { comment: a.comment } : {}) } }));
    return { asOf: ctx.now(), change: { id: v.id, title: v.title, status: v.status, window: v.window }, decided: { team, decision: a.decision }, approvalTeams: v.approvalTeams };
  },
};

const whatChanged: ToolDef = {
  name: 'what_changed', title: 'What changed', minRole: 'viewer',
  description: 'CIs and relations that appeared, vanished or changed between two times, optionally only around one CI (itself and its map neighbourhood to `depth`).',
  input: z.object({
    from: Time.describe('the earlier time (ISO 8601 with offset)'), to: Time.optional().describe('the later time (default: now)'),
    around: Ref.optional(), environment: Environment,
    depth: z.number().int().min(0).max(5).default(1).describe('with `around`: how far around it'),
    limit: z.number().int().min(1).max(500).default(100).describe('entries listed at most per kind'),
  }),
  async run(ctx, a) {
    let keep: Set<string> | null = null;
    let around: CompactCi | null = null;
    if (a.around) {
      around = await resolveCi(ctx.api, a.around, a.environment);
      const g = expectOk(await ctx.api({ method: 'GET', path: '/api/v1/graph', query: { focus: around.id, depth: a.depth, direction: 'both', group: 'none', maxNodes: 2000 } }));
      keep = new Set((g.nodes as any[]).map((n) => n.id));
      keep.add(around.id);
    }
    const d = expectOk(await ctx.api({ method: 'GET', path: '/api/v1/diff', query: { from: a.from, to: a.to } }));
    return { asOf: a.to ?? ctx.now(), from: d.from, to: d.to, around, ...compactDiff(d, keep, a.limit) };
  },
};

const situations: ToolDef = {
  name: 'situations', title: 'What is broken right now', minRole: 'viewer',
  description: 'Situations from monitoring: alerts correlated by their probable cause, each with its cause (and what changed on it just before), its alerts, the services it impacts and a priority; open ones by priority. Give `id` for one situation in full. Also says how many CIs alert now and the noise reduction (alerts in, situations out).',
  input: z.object({
    id: z.string().min(1).max(100).optional().describe('one situation'),
    status: z.enum(['open', 'resolved']).default('open').describe('open situations (the default) or resolved ones'),
    limit: z.number().int().min(1).max(50).default(10).describe('situations listed at most'),
  }),
  async run(ctx, a) {
    if (a.id) {
      const v = expectOk(await ctx.api({ method: 'GET', path: `/api/v1/situations/${encodeURIComponent(a.id)}` }));
      return { situation: compactSituation(v, 50), timeline: v.timeline ?? [], truncated: false };
    }
    const [list, health] = await Promise.all([
      ctx.api({ method: 'GET', path: '/api/v1/situations', query: { status: a.status, limit: a.limit } }).then(expectOk),
      ctx.api({ method: 'GET', path: '/api/v1/alerts/health' }).then(expectOk),
    ]);
    return {
      situations: (list.items as any[]).map((v) => compactSituation(v, 10)),
      noise: list.noise ?? health.noise,
      alertingNow: { cis: health.alerting.length, dependentsImpacted: health.total },
      truncated: list.items.length >= a.limit,
    };
  },
};

/** A situation with its cause first, its alerts and services capped, and how many there are of each. */
function compactSituation(v: any, listed: number) {
  return {
    id: v.id, status: v.status, openedAt: v.openedAt, resolvedAt: v.resolvedAt, priority: v.priority,
    cause: { id: v.cause.ci, name: v.cause.name, class: v.cause.class, recentChanges: (v.cause.recentChanges ?? []).slice(0, 5) },
    alerts: (v.alerts as any[]).slice(0, listed).map((x) => ({ id: x.id, name: x.name, status: x.status, severity: x.severity, startsAt: x.startsAt, ci: x.binding?.ci ?? null, summary: x.annotations?.summary })),
    alertCount: v.alerts.length,
    impactedServices: (v.impactedServices as any[]).slice(0, listed).map((x) => ({ id: x.id, name: x.name, tier: x.tier, state: x.state })),
    impactedServiceCount: v.impactedServiceCount ?? v.impactedServices.length,
    incident: v.incident, proposeResolveIncident: v.proposeResolveIncident,
  };
}

/** Every tool, in the order an agent's tool list shows them. */
export const TOOLS: ToolDef[] = [searchCis, getCi, serviceMap, blastRadius, incidentPriority, assessChange, rootCause, whatChanged, situations, incidents, addIncidentNote, decideChange];
