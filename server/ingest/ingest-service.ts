import { randomBytes, randomUUID } from 'node:crypto';
import type { IngestBatch, IngestResult, DryRunResult, RefusedItem } from '../model/ingest.ts';
import type { ChangeEvent } from '../model/records.ts';
import type { Limits } from '../model/limits.ts';
import type { GraphStore, BatchTx, RunRecord, WritePlan } from '../store/port.ts';
import { batchKeys } from '../domain/reconcile/identify.ts';
import { planCis, type BatchDuplicate } from '../domain/reconcile/plan-cis.ts';
import { planRelations, relationKey, resolveRelationEnds, type CiStatus } from '../domain/reconcile/plan-relations.ts';
import { guardRetirement, retireCis, retireRelations, selectLosing, type ScopeAssertion } from '../domain/reconcile/retire.ts';
import { checkBatchLimits } from '../domain/reconcile/validate.ts';
import { allAccepted, type JudgedBatch } from '../domain/reconcile/batch-items.ts';
import { changesOf, countActions } from '../domain/reconcile/events.ts';
import { batchSightingKey, ciResightings, relationResightings, type BatchSightingKey } from '../domain/reconcile/sighting.ts';
import type { CiPlanItem, RelationPlanItem } from '../domain/reconcile/types.ts';
import { notBefore } from '../domain/reconcile/batch-time.ts';
import { ConflictError, InputError, UnprocessableError, problemsMessage } from '../domain/errors.ts';

/**
 * Ids are time-ordered (milliseconds, then a per-process counter, then a per-process random tag):
 * new rows append to the end of every id-keyed B-tree instead of splitting pages at random,
 * which is most of the cost of writing a big batch; the tag keeps replicas from colliding.
 */
const processTag = randomBytes(3).toString('hex');
let lastMs = 0;
let lastMsText = '';
let counter = 0;
function timeOrderedId(prefix: string): string {
  const ms = Date.now();
  // A first load makes ~2,700 ids per 1,000-CI batch, most in the same millisecond: its text is made once.
  if (ms !== lastMs) { lastMs = ms; lastMsText = ms.toString(36); counter = 0; }
  return `${prefix}${lastMsText}${(counter++).toString(36).padStart(4, '0')}${processTag}`;
}
export const newCiId = () => timeOrderedId('ci-');
export const newRelationId = () => timeOrderedId('rel-');
export const newRunId = () => 'run-' + randomBytes(8).toString('base64url');

export interface IngestOptions {
  limits: Limits;
  /** Share of a scope a completing run may retire without `force`. */
  maxRetireShare: number;
  now?: () => string;
  /**
   * Called with the milliseconds each phase of a batch took (read: index and state lookups,
   * plan: the pure reconciliation, write: the statements, commit: COMMIT and the WAL);
   * the benchmark's in-process breakdown uses it.
   */
  onPhase?: (phase: IngestPhase, ms: number) => void;
  /**
   * Exactly-once: the batch's idempotency key (already namespaced by its caller) and a fingerprint of the
   * request. Without one, the call makes its own, so that a store retrying its transaction after a COMMIT
   * that did succeed (Neo4j's driver) finds the batch applied instead of applying it twice.
   */
  idempotency?: { key: string; fingerprint: string };
  /** How long a batch's reply stays under its key (default 24 h). */
  idempotencyTtlMs?: number;
  /**
   * The digest of the batch's content as its sender encoded it (sighting.ts, rawContentDigest), when the caller
   * read the raw request: a batch is then remembered under it, and `ingestSeen` can recognise the same bytes.
   */
  contentDigest?: string;
}

/** What ingest needs of a batch before its content: who sends it, and how its run goes on. */
export type BatchHeader = Pick<IngestBatch, 'source' | 'scope' | 'runId' | 'complete' | 'force'>;

/**
 * A batch whose content (its CIs and relations, by the digest of their bytes) passed validation and the limits
 * in this process before: its header, what batch-level recognition needs of the content, and the whole batch
 * on demand, read only when the store does not recognise it (a parse and validation saved per re-sent batch).
 */
export interface SeenBatch {
  header: BatchHeader;
  key: BatchSightingKey;
  /** Parses and judges the content (throws InputError as the route would). */
  load(): JudgedBatch;
}

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3600_000;

export type IngestPhase = 'read' | 'plan' | 'write' | 'commit';

/**
 * `event`: the change event the batch committed (null when nothing changed), so this process's change feed
 * can take it without reading back and parsing what it just wrote.
 */
export type IngestOutcome =
  | {
    dryRun: false; result: IngestResult; event: ChangeEvent | null; /** The reply kept under the idempotency key: nothing was written. */ replayed: boolean;
    /** The store took the batch as a whole (it recognises batches sent again: BatchReader.recallBatch). */
    sighted?: boolean;
  }
  | { dryRun: true; result: DryRunResult };

/**
 * The one write path: identify, reconcile and (on completion) retire inside one store transaction.
 * All decisions are the pure domain functions'; this only fetches what they need and hands the plan over.
 */
export async function ingest(store: GraphStore, batch: IngestBatch | JudgedBatch, opts: IngestOptions & { dryRun?: boolean }): Promise<IngestOutcome> {
  // A batch judged item by item (batch-items.ts, the ingest route) met the limits there; one built in this process
  // (the demo, the OTLP receiver) is held to them whole.
  let judged: JudgedBatch;
  if ('refused' in batch) judged = batch;
  else { checkLimits(batch, opts.limits); judged = allAccepted(batch); }
  return apply(store, { header: judged.batch, key: () => batchSightingKey(judged.batch, opts.contentDigest), batch: () => judged }, opts);
}

/** `ingest` for a batch whose content this process validated before (SeenBatch): never a dry run. */
export async function ingestSeen(store: GraphStore, seen: SeenBatch, opts: IngestOptions): Promise<IngestOutcome> {
  return apply(store, {
    header: seen.header, key: () => seen.key,
    batch: () => seen.load(),
  }, { ...opts, contentDigest: seen.key.digest });
}

function checkLimits(batch: IngestBatch, limits: Limits) {
  const problems = checkBatchLimits(batch, limits);
  if (problems.length) throw new InputError(problemsMessage(problems), { problems }, problems[0].code);
}

/** A batch as `apply` takes it: the header at once, its sighting key and the whole batch when asked. */
interface BatchInput { header: BatchHeader; key(): BatchSightingKey | null; batch(): JudgedBatch }

async function apply(store: GraphStore, input: BatchInput, opts: IngestOptions & { dryRun?: boolean }): Promise<IngestOutcome> {
  const header = input.header;
  const runId = header.runId ?? newRunId();
  const clock = opts.now ?? (() => new Date().toISOString());
  // Made once per call, outside the transaction function: every attempt of a retried transaction carries the same key.
  const idem = opts.idempotency ?? { key: `auto:${randomUUID()}`, fingerprint: '' };
  const ttlMs = opts.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;

  // Phase timings are collected per attempt and reported once the transaction has resolved: a retried
  // transaction function must have no effect outside it (the attempt that failed is simply discarded).
  let laps: [IngestPhase, number][] = [];
  let mark = 0;
  const lap = (name: IngestPhase) => {
    if (!opts.onPhase) return;
    const t = performance.now();
    laps.push([name, t - mark]);
    mark = t;
  };

  const outcome = await store.transact(async (tx): Promise<IngestOutcome> => {
    laps = [];
    mark = opts.onPhase ? performance.now() : 0;
    // The batch's instant is taken here, under the store's write lock, and never before the last committed
    // batch's: batches queued on the lock (other instances, a retry) commit in time order.
    const now = opts.dryRun ? clock() : notBefore(clock(), await tx.lastBatchAt());
    if (!opts.dryRun) {
      const kept = await tx.recall(idem.key);
      if (kept && kept.expiresAt > now) {
        if (kept.fingerprint !== idem.fingerprint) {
          throw new UnprocessableError(`idempotency key was used at ${kept.createdAt} for another request; send a new key for a new batch`,
            { createdAt: kept.createdAt }, 'idempotency_key_reused');
        }
        // A reply kept before replies listed refused items had none.
        const result = JSON.parse(kept.result) as IngestResult;
        result.refused ??= [];
        return { dryRun: false, result, event: null, replayed: true };
      }
    }
    const run = await checkRun(tx, header, runId, now);
    // Items refused by earlier batches of this run keep it from completing as much as this batch's own.
    const earlier = header.complete ? await refusalsOfRun(tx, runId, now) : 0;
    // A batch sent exactly as before whose targets stand as it left them (sighting.ts): nothing to identify or merge.
    const sighting = !opts.dryRun && tx.recallBatch ? input.key() : null;
    const recalled = sighting ? await tx.recallBatch!(sighting) : null;
    if (recalled) {
      lap('read');
      const retired = header.complete && !earlier ? await planCompletion(tx, header, runId, now, opts, new Set(recalled.cis), new Set(recalled.relations)) : noRetirement();
      lap('plan');
      return commitBatch(tx, header, run, now, {
        sighted: true, refused: [], completing: header.complete && !earlier, earlier,
        cis: retired.cis, relations: retired.relations, keys: [], batch: { key: sighting!, targets: recalled, recalled: true }, wouldRetire: retired.wouldRetire,
        // Counted per CI and relation, as item by item (two items of one CI count once).
        ciCounts: { ...countActions([]), unchanged: recalled.cis.length }, relCounts: { ...countActions([]), unchanged: recalled.relations.length },
      }, idem, ttlMs, lap);
    }

    const judged = input.batch();
    let batch = judged.batch;
    const keysOf = batchKeys(batch);
    const ciKeys = new Set<string>();
    const refKeys = new Set<string>();
    const idRefs = new Set<string>();
    for (const keys of keysOf.cis) for (const k of keys) ciKeys.add(k.key);
    batch.relations.forEach((rel, i) => {
      const { from, to } = keysOf.refs[i];
      if (from) for (const k of from) refKeys.add(k.key); else idRefs.add((rel.from as { id: string }).id);
      if (to) for (const k of to) refKeys.add(k.key); else idRefs.add((rel.to as { id: string }).id);
    });
    const keyIndex = await tx.lookupKeys([...new Set([...ciKeys, ...refKeys])]);
    // Re-sightings (unchanged items on CIs only this source asserts) need no state loaded and no merge.
    // A dry run answers item by item, so it always goes the full way.
    const fast = !opts.dryRun && tx.assertionDigests !== undefined && tx.relationDigests !== undefined;
    const candidates = new Set<string>();
    if (fast) for (const k of ciKeys) { const id = keyIndex.get(k); if (id !== undefined) candidates.add(id); }
    const ciSightings = fast ? ciResightings(batch, keyIndex, await tx.assertionDigests!([...candidates]), keysOf.cis) : new Map<number, string>();
    const resightedCis = new Set(ciSightings.values());
    // Full state (provenance included) only for the CIs the batch asserts; relation ends need no more than their lifecycle.
    const assertedIds = new Set<string>();
    for (const k of ciKeys) { const id = keyIndex.get(k); if (id !== undefined && !resightedCis.has(id)) assertedIds.add(id); }
    const cis = await tx.loadCis([...assertedIds]);
    // Sets and arrays here are filled by loops, not spreads of iterables of several kinds: each spread site that met a
    // new kind of array or iterator (an empty batch's, the last batch's retirement) threw this function's optimised
    // code away, and TurboFan compiled it again (5 times over two 30k-CI first loads in one process; 3 now).
    const pointedAt: string[] = [];
    const pointed = new Set<string>();
    const point = (id: string | undefined) => {
      if (id === undefined || pointed.has(id)) return;
      pointed.add(id);
      if (!cis.has(id) && !resightedCis.has(id)) pointedAt.push(id);
    };
    for (const id of idRefs) point(id);
    for (const k of refKeys) point(keyIndex.get(k));
    const status = new Map<string, CiStatus>();
    for (const [id, c] of cis) status.set(id, { name: c.record.name, lifecycle: c.record.lifecycle });
    if (tx.ciStatus) for (const [id, st] of await tx.ciStatus(pointedAt)) status.set(id, st);
    else for (const [id, c] of await tx.loadCis(pointedAt)) status.set(id, { name: c.record.name, lifecycle: c.record.lifecycle });
    lap('read');

    const ciPlan = planCis(batch, { keyIndex, cis }, { now, runId, newId: newCiId }, ciSightings, keysOf.cis);
    const batchIds = new Set<string>();
    for (const item of ciPlan.items) batchIds.add(item.assertions[0].targetId);
    for (const id of resightedCis) batchIds.add(id);
    const resolved = resolveRelationEnds(batch, { localKeys: ciPlan.localKeys, keyIndex, status, batchIds, refused: judged.refusedKeys }, keysOf.refs);
    let ends = resolved.ends;
    // A relation whose end cannot be found (or was refused) is refused by itself; the others are written.
    const refused = judged.refused.slice();
    let relationAt = judged.relationAt;
    if (resolved.problems.length) {
      const unresolved = refuseUnresolved(resolved.problems, relationAt, refused);
      const kept: IngestBatch['relations'] = [], keptEnds: typeof ends = [], keptAt: number[] = [];
      for (let i = 0; i < batch.relations.length; i++) {
        if (unresolved.has(i)) continue;
        kept.push(batch.relations[i]); keptEnds.push(ends[i]); keptAt.push(relationAt ? relationAt[i] : i);
      }
      batch = { source: batch.source, scope: batch.scope, runId: batch.runId, complete: batch.complete, force: batch.force, cis: batch.cis, relations: kept };
      ends = keptEnds;
      relationAt = keptAt;
    }
    refused.sort(bySentOrder);
    // A run completed with items refused would retire what they stand for (a refused CI may be one still there).
    const completing = header.complete && refused.length === 0 && !earlier;
    if (refused.length && !opts.dryRun) await keepRefusals(tx, runId, earlier + refused.length, now);

    const triples: { from: string; type: string; to: string }[] = [];
    for (let i = 0; i < batch.relations.length; i++) triples.push({ from: ends[i].from, type: batch.relations[i].type, to: ends[i].to });
    // A relation with an end this batch creates cannot be stored yet: only the others are looked up (on a first load,
    // most of a batch's relations join its own new CIs).
    const created = new Set<string>();
    for (const item of ciPlan.items) if (item.action === 'create') created.add(item.record.id);
    let storable = triples;
    if (created.size) {
      storable = [];
      for (const t of triples) if (!created.has(t.from) && !created.has(t.to)) storable.push(t);
    }
    lap('plan');
    const digests = fast ? await tx.relationDigests!(storable) : null;
    const relSightings = digests ? relationResightings(batch, ends, digests) : new Map<number, string>();
    // With the digests in hand, the triples they did not find are not stored: full state only for those they found
    // (and did not settle as re-sightings).
    const existingRels = await tx.loadRelations(digests ? triples.filter((t, i) => !relSightings.has(i) && digests.has(relationKey(t.from, t.type, t.to))) : storable);
    lap('read');
    const relItems = planRelations(batch, ends, existingRels, { now, runId, newId: newRelationId }, relSightings);
    const relIdsNow = new Set<string>();
    for (const item of relItems) relIdsNow.add(item.record.id);
    for (const id of relSightings.values()) relIdsNow.add(id);

    const retired = completing ? await planCompletion(tx, batch, runId, now, opts, batchIds, relIdsNow) : noRetirement();
    const ciAt = judged.ciAt;
    const sentIndex = (i: number) => (ciAt ? ciAt[i] : i);

    const allCis = ciPlan.items.concat(retired.cis);
    const allRels = relItems.concat(retired.relations);
    if (opts.dryRun) {
      return {
        dryRun: true as const,
        result: {
          dryRun: true as const, runId,
          cis: batch.cis.map((c, index) => {
            const item = ciPlan.items.find((i) => i.assertions[0].targetId === ciPlan.byIndex[index])!;
            return { index: sentIndex(index), class: c.class, name: c.name, action: item.action === 'restore' ? 'update' as const : item.action === 'create' ? 'create' as const : item.action === 'update' ? 'update' as const : 'unchanged' as const, ciId: item.previous ? item.record.id : null, matchedBy: item.matchedBy };
          }),
          relations: countActions(relItems),
          wouldRetire: retired.wouldRetire,
          refused, ...notCompleted(header.complete, refused, earlier),
          ...duplicatesOf(sentDuplicates(ciPlan.duplicates, sentIndex)),
        },
      };
    }

    lap('plan');
    const ciCounts = countActions(ciPlan.items);
    ciCounts.unchanged += ciSightings.size;
    const relCounts = countActions(relItems);
    relCounts.unchanged += relSightings.size;
    // A batch naming one CI twice answers with its duplicates: it is not remembered, so a re-send answers them again.
    // Nor is one asserting something another source asserts too (its merge depends on more than this batch).
    const remember = sighting && !refused.length && !ciPlan.duplicates.length && soleAssertions(batch, ciPlan.items, relItems)
      ? { key: sighting, targets: { cis: [...batchIds], relations: [...relIdsNow] }, recalled: false } : undefined;
    return commitBatch(tx, batch, run, now, {
      sighted: sighting !== null,
      cis: allCis, relations: allRels,
      keys: ciPlan.items.flatMap((i) => i.newKeys.map((key) => ({ key, ciId: i.assertions[0].targetId }))),
      resighted: fast ? { cis: [...resightedCis], relations: [...relSightings.values()] } : undefined,
      wouldRetire: retired.wouldRetire, ciCounts, relCounts, duplicates: sentDuplicates(ciPlan.duplicates, sentIndex), batch: remember,
      refused, completing, earlier,
    }, idem, ttlMs, lap);
  }, { readOnly: !!opts.dryRun });
  lap('commit');
  if (opts.onPhase) for (const [name, ms] of laps) opts.onPhase(name, ms);
  return outcome;
}

const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** What no retirement plans: of the same shape as planRetirement's, so that code reading either sees one kind of object. */
const noRetirement = () => ({ cis: [] as CiPlanItem[], relations: [] as RelationPlanItem[], wouldRetire: { cis: 0, relations: 0 }, edgesOnly: false });

type Counts = IngestResult['cis'];
interface PlannedBatch {
  cis: CiPlanItem[]; relations: RelationPlanItem[]; keys: WritePlan['keys']; resighted?: WritePlan['resighted'];
  wouldRetire: { cis: number; relations: number }; ciCounts: Counts; relCounts: Counts;
  duplicates?: BatchDuplicate[];
  /** The batch as a whole, recalled or to remember for next time (sighting.ts, WritePlan.batch). */
  batch?: WritePlan['batch'];
  /** Whether the store could take it as a whole (it had a sighting key for it). */
  sighted: boolean;
  refused: RefusedItem[];
  /** The batch completes its run: asked to, and nothing refused in it or in the run's earlier batches. */
  completing: boolean;
  /** Items the run's earlier batches had refused (read only when the batch asks to complete). */
  earlier: number;
}

/** Write a planned batch with its run, event and idempotent reply, in the open transaction. */
async function commitBatch(
  tx: BatchTx, batch: BatchHeader, run: RunRecord, now: string, p: PlannedBatch,
  idem: { key: string; fingerprint: string }, ttlMs: number, lap: (phase: IngestPhase) => void,
): Promise<IngestOutcome> {
  const runId = run.runId;
  const changes = changesOf(p.cis, p.relations);
  // Written out, not spread from `run`: in V8 11.3 a spread with properties after it made a new hidden class for
  // every object once a full GC had run, and the write's optimised code was thrown away on it (docs/design.md §5).
  const completedRun: RunRecord = {
    runId: run.runId, source: run.source, scope: run.scope, startedAt: run.startedAt, lastBatchAt: now,
    completedAt: p.completing ? now : null, batches: run.batches + 1,
  };
  if (p.completing) changes.push({ kind: 'run.completed', ref: runId });
  const event = changes.length ? { at: now, source: batch.source, changes } : null;
  const seq = await tx.write({
    now, source: batch.source, cis: p.cis, relations: p.relations, keys: p.keys, run: completedRun,
    ...(p.resighted ? { resighted: p.resighted } : {}), ...(p.batch ? { batch: p.batch } : {}), event,
  });
  lap('write');
  const result: IngestResult = {
    runId, seq, cis: { ...p.ciCounts, retired: p.wouldRetire.cis }, relations: { ...p.relCounts, retired: p.wouldRetire.relations }, runCompleted: p.completing,
    refused: p.refused, ...notCompleted(batch.complete, p.refused, p.earlier),
    ...duplicatesOf(p.duplicates ?? []),
  };
  await tx.remember({ key: idem.key, fingerprint: idem.fingerprint, result: JSON.stringify(result), createdAt: now, expiresAt: later(now, ttlMs) });
  return { dryRun: false as const, result, event: event && seq > 0 ? { seq, ...event } : null, replayed: false, sighted: p.sighted };
}

/**
 * Whether every CI and relation a batch asserts (the plan's items; re-sightings are checked sole already) carries
 * no active assertion but this source's in this scope: only then is the batch remembered as a whole.
 */
function soleAssertions(batch: BatchHeader, cis: readonly CiPlanItem[], relations: readonly RelationPlanItem[]): boolean {
  const mine = (a: { source: string; scope: string; active: boolean }) => !a.active || (a.source === batch.source && a.scope === batch.scope);
  return cis.every((i) => i.assertions.every(mine)) && relations.every((i) => i.assertions.every(mine));
}

async function checkRun(tx: BatchTx, batch: BatchHeader, runId: string, now: string): Promise<RunRecord> {
  const run = await tx.getRun(runId);
  if (!run) return { runId, source: batch.source, scope: batch.scope, startedAt: now, lastBatchAt: now, completedAt: null, batches: 0 };
  if (run.completedAt) throw new ConflictError(`run ${runId} was completed at ${run.completedAt}; start a new run`, { runId }, 'run_completed');
  if (run.source !== batch.source || run.scope !== batch.scope) {
    throw new ConflictError(`run ${runId} belongs to source ${run.source}, scope ${run.scope}`, { runId }, 'run_mismatch');
  }
  return run;
}

async function planCompletion(tx: BatchTx, batch: BatchHeader, runId: string, now: string, opts: IngestOptions, ciIdsNow: Set<string>, relIdsNow: Set<string>) {
  const assertedNow = new Set([...ciIdsNow, ...relIdsNow]);
  const { losing, total } = tx.scopeLosing
    ? await tx.scopeLosing(batch.source, batch.scope, runId, [...assertedNow])
    : selectLosing(await tx.scopeAssertions(batch.source, batch.scope), assertedNow, runId);
  const problem = guardRetirement(losing.length, total, opts.maxRetireShare, batch.force);
  if (problem) throw new ConflictError(problem.message, { problems: [problem], losing: losing.length, total }, problem.code);

  return planRetirement(tx, losing, batch.source, batch.scope, now, relIdsNow);
}

/**
 * Drop `losing` (assertions of `source` in `scope`) from their CIs and relations, retire what no source
 * asserts any more, and the live relations a retired CI leaves dangling (except `keep`, asserted now).
 * Shared by a completing run and the stale sweep of sources that never complete one (live traces).
 *
 * `edgeBound` (the stale sweep): when the CIs this would retire leave more live relations dangling than that (a
 * hub: 100k edges), the plan is only `edgeBound` of those relations, retired as the CIs' retirement would retire
 * them (every source's assertion dropped), and `edgesOnly` is set: the CIs and `losing` stay as they are, for a later
 * plan to retire once few enough edges are left. Retiring a hub so, part after part, writes exactly the versions,
 * assertions and changes one plan would (spread over several events), and each part leaves a consistent store: the
 * hub live with fewer edges, never a live edge with a retired end.
 */
export async function planRetirement(tx: BatchTx, losing: ScopeAssertion[], source: string, scope: string, now: string,
  keep: ReadonlySet<string> = new Set(), edgeBound?: number) {
  const losingCis = await tx.loadCis(losing.filter((l) => l.kind === 'ci').map((l) => l.targetId));
  const ciItems = retireCis([...losingCis.values()], source, scope, now);
  const retiredIds = new Set(ciItems.filter((i) => i.action === 'retire').map((i) => i.record.id));
  // Bounded, the read asks for one more than the bound: more than that many came back, the CIs must wait.
  const touching = (await tx.relationsTouching([...retiredIds], edgeBound === undefined ? undefined : edgeBound + 1)).filter((r) => !keep.has(r.record.id));
  if (edgeBound !== undefined && touching.length > edgeBound) {
    const relations = retireRelations(touching.slice(0, edgeBound), null, null, retiredIds, now);
    return { cis: [], relations, wouldRetire: { cis: 0, relations: relations.filter((r) => r.action === 'retire').length }, edgesOnly: true };
  }
  const losingRels = await tx.loadRelationsById(losing.filter((l) => l.kind === 'relation').map((l) => l.targetId));
  const relItems = retireRelations(losingRels, source, scope, retiredIds, now);
  const handled = new Set(relItems.map((r) => r.record.id));
  relItems.push(...retireRelations(touching.filter((r) => !handled.has(r.record.id)), null, null, retiredIds, now));
  return {
    cis: ciItems, relations: relItems,
    wouldRetire: { cis: retiredIds.size, relations: relItems.filter((r) => r.action === 'retire').length }, edgesOnly: false,
  };
}

export { relationKey };

/** Unresolvable relation ends as refused relations (one entry per relation, at its place as sent); their indexes in the batch. */
function refuseUnresolved(problems: readonly { path: (string | number)[]; code: string; message: string }[], relationAt: number[] | null, refused: RefusedItem[]): Set<number> {
  const byRelation = new Map<number, { code: string; messages: string[] }>();
  for (const p of problems) {
    const i = p.path[1] as number;
    const end = p.path.length > 2 ? `${p.path[2]}: ` : '';
    const entry = byRelation.get(i);
    if (entry) entry.messages.push(end + p.message); else byRelation.set(i, { code: p.code, messages: [end + p.message] });
  }
  for (const [i, e] of byRelation) refused.push({ at: `relations.${relationAt ? relationAt[i] : i}`, code: e.code, message: e.messages.join('; ') });
  return new Set(byRelation.keys());
}

/** CIs first, then relations, each in the batch's order. */
const bySentOrder = (a: RefusedItem, b: RefusedItem) => {
  const [la, ia] = a.at.split('.'), [lb, ib] = b.at.split('.');
  return la === lb ? Number(ia) - Number(ib) : la === 'cis' ? -1 : 1;
};

/**
 * How many items a run's batches had refused, kept beside the idempotency records (the same keyed, expiring
 * records, written in the batch's transaction: no store change) under a key no Idempotency-Key can take (those are
 * `<token id>:<key>`). A run refusing items never completes: its completion would retire what they stand for.
 */
const refusalsKey = (runId: string) => `\u0000run-refusals:${runId}`;
/** Longer than any run lasts. */
const REFUSALS_KEPT_MS = 30 * 24 * 3600_000;

async function refusalsOfRun(tx: BatchTx, runId: string, now: string): Promise<number> {
  const kept = await tx.recall(refusalsKey(runId));
  return kept && kept.expiresAt > now ? (JSON.parse(kept.result) as { refused: number }).refused : 0;
}

async function keepRefusals(tx: BatchTx, runId: string, refused: number, now: string): Promise<void> {
  await tx.remember({ key: refusalsKey(runId), fingerprint: '', result: JSON.stringify({ refused }), createdAt: now, expiresAt: later(now, REFUSALS_KEPT_MS) });
}

/** What the reply says when `complete: true` was asked and items were refused, in this batch or earlier ones of its run. */
function notCompleted(asked: boolean, refused: readonly RefusedItem[], earlier: number): { runNotCompleted?: { code: 'items_refused'; message: string } } {
  if (!asked || (!refused.length && !earlier)) return {};
  const items = (n: number) => (n === 1 ? '1 item was' : `${n} items were`);
  const what = [refused.length ? `${items(refused.length)} refused in this batch` : '', earlier ? `${items(earlier)} refused in earlier batches of this run` : ''].filter(Boolean).join(' and ');
  return {
    runNotCompleted: {
      code: 'items_refused',
      message: `the run was not completed and nothing was retired: ${what}, and a refused item may stand for something still there. The run stays open; start a new run once they are corrected to retire what is gone`,
    },
  };
}

/** Duplicates by the items' places in the batch as sent. */
const sentDuplicates = (list: BatchDuplicate[], sentIndex: (i: number) => number): BatchDuplicate[] =>
  list.map((d) => ({ index: sentIndex(d.index), sameAs: sentIndex(d.sameAs) }));

const DUPLICATES_LISTED = 100;

/** Items of one batch that named the same CI were merged (the later wins each field): the reply lists them. */
function duplicatesOf(list: BatchDuplicate[]): { duplicates?: { count: number; items: BatchDuplicate[] } } {
  return list.length ? { duplicates: { count: list.length, items: list.slice(0, DUPLICATES_LISTED) } } : {};
}
