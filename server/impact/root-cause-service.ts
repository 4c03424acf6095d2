import type { RecentChange, RootCauseReply, RootCauseRequest } from '../model/impact.ts';
import type { ChangeRecord } from '../model/changes.ts';
import type { DiffResult } from '../model/records.ts';
import type { GraphStore } from '../store/port.ts';
import { NotFoundError } from '../domain/errors.ts';
import { candidateNodes, rankRootCauses, type SymptomGroup } from '../domain/root-cause/rank.ts';
import { overlaps } from '../domain/change-risk/windows.ts';
import type { Topology } from '../topology/topology.ts';
import { nodesFor, type ImpactService } from './impact-service.ts';
import type { Records } from './records.ts';
import { versionChanges } from '../domain/history/version-changes.ts';
import { discoveryEndOf } from '../domain/root-cause/discovery.ts';

const HOUR = 3_600_000;
/** Candidates whose versions are read one by one for what each changed (one store read each). */
const DETAILED_CANDIDATES = 50;

export interface RootCauseDeps {
  impact: ImpactService;
  records: Records;
  store: GraphStore;
  /** How long before the first incident a change still counts as "shortly before". */
  lookbackHours?: number;
  /** Candidates verified by a full propagation each. */
  verify?: number;
  now?: () => string;
}

/** Root cause across incidents (or symptom CIs since a time): gathers evidence and recent changes, the domain ranks. */
export class RootCauseService {
  constructor(private readonly deps: RootCauseDeps) {}

  async rank(req: RootCauseRequest): Promise<RootCauseReply> {
    const now = (this.deps.now ?? (() => new Date().toISOString()))();
    const topo = this.deps.impact.topology.current;
    const suppressed: string[] = [];
    const groups: SymptomGroup[] = [];
    let since: string;

    if ('incidents' in req) {
      const incidents = await Promise.all(req.incidents.map(async (id) => {
        const i = await this.deps.records.get('incident', id);
        if (!i) throw new NotFoundError(`no incident ${id}`);
        return i;
      }));
      since = new Date(Math.min(...incidents.map((i) => Date.parse(i.startedAt))) - (this.deps.lookbackHours ?? 24) * HOUR).toISOString();
      for (const i of incidents) {
        // A symptom inside a maintenance window is expected, not independent evidence.
        const maintenance = await this.deps.impact.maintenanceAt(topo, i.startedAt);
        const symptoms = i.cis.map((c) => ({ node: topo.nodeOf(c.ci), state: c.state })).filter((x): x is { node: number; state: typeof x.state } => x.node !== undefined);
        for (const x of symptoms) if (maintenance.has(x.node)) suppressed.push(topo.idOf(x.node));
        const evidence = symptoms.filter((x) => !maintenance.has(x.node));
        if (evidence.length) groups.push({ key: i.id, symptoms: evidence });
      }
    } else {
      since = new Date(req.since).toISOString();
      const maintenance = await this.deps.impact.maintenanceAt(topo, now);
      for (const n of nodesFor(topo, req.cis)) {
        if (maintenance.has(n)) suppressed.push(topo.idOf(n));
        // No state was reported: any impact on the CI counts as explaining it.
        else groups.push({ key: topo.idOf(n), symptoms: [{ node: n, state: 'degraded' }] });
      }
    }
    if (!groups.length) return { candidates: [], suppressed, since, nodes: {} };

    const candidates = candidateNodes(topo, groups, this.deps.verify ?? 60);
    const { changes, discovery } = await this.recentChanges(topo, candidates, since, now);
    const changed = new Set(candidates.filter((n) => changes.get(n)?.length));
    const ranked = rankRootCauses(topo, groups, candidates, changed).slice(0, req.limit);
    const nodes: RootCauseReply['nodes'] = {};
    for (const r of ranked) for (const p of r.paths) for (const n of p) nodes[topo.idOf(n)] ??= { name: topo.nameOf(n), class: topo.classOf(n), tier: topo.tierOf(n) };
    return {
      since, suppressed, nodes, ...(discovery ? { discovery } : {}),
      candidates: ranked.map((r) => ({
        id: topo.idOf(r.node), name: topo.nameOf(r.node), class: topo.classOf(r.node), tier: topo.tierOf(r.node),
        score: r.score, explains: r.explains, specificity: r.specificity, proximity: r.proximity, coverage: r.coverage, dependents: r.dependents,
        paths: r.paths.map((p) => p.map((n) => topo.idOf(n))), recentChanges: changes.get(r.node) ?? [],
      })),
    };
  }

  /** Change records on the candidates in [since, now], and what history says changed on them (versions, relations). */
  private async recentChanges(topo: Topology, nodes: number[], since: string, now: string): Promise<{ changes: Map<number, RecentChange[]>; discovery?: RootCauseReply['discovery'] }> {
    const byId = new Map(nodes.map((n) => [topo.idOf(n), n]));
    const out = new Map<number, RecentChange[]>();
    const add = (id: string, c: RecentChange) => {
      const n = byId.get(id);
      if (n === undefined) return;
      const list = out.get(n) ?? [];
      out.set(n, list);
      if (list.length < 20) list.push(c);
    };
    // Summaries are read by people: CIs by name (a retired end the projection no longer holds keeps its id).
    const label = (id: string, withClass = false) => {
      const n = topo.nodeOf(id);
      return n === undefined ? id : withClass ? `${topo.nameOf(n)} (${topo.classOf(n)})` : topo.nameOf(n);
    };
    // A service often runs on a workload of the same name: then the classes tell the two ends apart.
    const edge = (r: { type: string; from: string; to: string }) => {
      const both = label(r.from) === label(r.to);
      return `${r.type} ${label(r.from, both)} → ${label(r.to, both)}`;
    };
    const span = { start: since, end: now };
    for (const c of await this.deps.records.list('change') as ChangeRecord[]) {
      if (c.status === 'cancelled' || !overlaps(c.window, span)) continue;
      for (const id of c.cis) add(id, { kind: 'change', at: c.window.start, summary: `${c.type} change "${c.title}" (${c.status})`, ref: c.id });
    }
    const diff: DiffResult = await this.deps.store.diff(since, now, 20_000);
    // On a freshly discovered estate every candidate "appeared" in the window: appearances with the discovery mean nothing.
    const discovered = discoveryEndOf(diff, topo.nodeCount);
    const until = discovered ?? -Infinity;
    const withDiscovery = (at: string) => Date.parse(at) <= until;
    // A candidate with several versions in the window (it appeared, then a source edited it; or it changed twice)
    // is told version by version with the attributes each changed: the diff alone would say "appeared" at the
    // last edit, or name only `attributes`. Bounded: the rest keep the diff's one line.
    let detailed = 0;
    const byVersion = async (id: string, version: number, fallback: RecentChange) => {
      if (version > 1 && byId.has(id) && detailed++ < DETAILED_CANDIDATES) {
        const detail = await this.deps.store.getCiDetail(id, 0);
        const steps = versionChanges(detail?.history ?? [], Date.parse(since), Date.parse(now), until);
        if (steps.length) { for (const c of steps) add(id, { kind: 'ci-version', ...c }); return; }
      }
      add(id, fallback);
    };
    for (const ci of diff.cis.added) {
      // Discovered then edited: the edits still count, the discovery does not.
      if (ci.version === 1 && withDiscovery(ci.validFrom)) continue;
      // Past the detailed candidates, an edited CI's one line is its edit: when it appeared the diff does not say.
      await byVersion(ci.id, ci.version, { kind: 'ci-version', at: ci.validFrom, summary: ci.version === 1 ? 'appeared' : `new version ${ci.version}` });
    }
    for (const ch of diff.cis.changed) await byVersion(ch.after.id, ch.after.version, { kind: 'ci-version', at: ch.after.validFrom, summary: `version ${ch.after.version}: ${ch.fields.join(', ')} changed` });
    for (const r of diff.relations.added) {
      if (r.version === 1 && withDiscovery(r.validFrom)) continue;
      // A relation changed since it appeared carries its change's instant: it appeared earlier, maybe with the discovery.
      const summary = r.version === 1 ? `${edge(r)} appeared` : `${edge(r)}: new version ${r.version}`;
      for (const id of [r.from, r.to]) add(id, { kind: 'relation-added', at: r.validFrom, summary, ref: r.id });
    }
    for (const r of diff.relations.removed) for (const id of [r.from, r.to]) add(id, { kind: 'relation-removed', at: r.validTo ?? r.validFrom, summary: `${edge(r)} vanished`, ref: r.id });
    for (const ch of diff.relations.changed) for (const id of [ch.after.from, ch.after.to]) add(id, { kind: 'relation-changed', at: ch.after.validFrom, summary: `${edge(ch.after)}: ${ch.fields.join(', ')} changed`, ref: ch.after.id });
    for (const list of out.values()) list.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    if (discovered === null) return { changes: out };
    const cis = diff.cis.added.filter((c) => c.version === 1 && withDiscovery(c.validFrom)).length;
    return { changes: out, discovery: { cis, estate: topo.nodeCount, until: new Date(discovered).toISOString() } };
  }
}
