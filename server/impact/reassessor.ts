import type { ChangeEvent } from '../model/records.ts';
import type { ChangeFeed } from '../live/change-feed.ts';
import { overlaps } from '../domain/change-risk/windows.ts';
import type { IncidentService } from './incident-service.ts';
import type { ChangeService } from './change-service.ts';
import { WORKFLOW_SOURCE } from './records.ts';
import { stepsInTurns } from '../live/turns.ts';

type Key = `incident:${string}` | `change:${string}`;

export interface ReassessorStatus {
  pending: number;
  running: boolean;
  lastPassAt: string | null;
  lastPassMs: number | null;
  recomputed: number;
  failures: number;
  lastError: string | null;
}

/** Records re-computed per pass before the loop yields and goes on in the next one. */
const PER_PASS = 50;

/**
 * Keeps open incidents and open changes true to the graph: when a committed batch touches a CI in an
 * incident's impact or a change's blast radius (or a relation with an end there), or another incident
 * or a colliding change moves, the record is recomputed (incidents: impact and priority; changes:
 * re-assessed, kept in its history). Only those records: each one's footprint (the CIs it touches and
 * impacts) is kept from its last computation. Debounced, a bounded number per pass, yielding between
 * records; a failure backs off and is reported on /healthz. Its own writes carry the `workflow` source
 * and are not reacted to.
 */
export class Reassessor {
  private readonly footprints = new Map<Key, Set<string>>();
  private readonly dirty = new Map<Key, string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private unsubscribe: (() => void) | null = null;
  private backoffMs = 0;
  private stopped = false;
  /** The events still being read (a large one takes several turns), in order; null when none. */
  private reading: Promise<void> | null = null;
  readonly status: ReassessorStatus = { pending: 0, running: false, lastPassAt: null, lastPassMs: null, recomputed: 0, failures: 0, lastError: null };

  constructor(private readonly deps: {
    feed: ChangeFeed; incidents: IncidentService; changes: ChangeService;
    debounceMs?: number; maxBackoffMs?: number; log?: (msg: string) => void;
    /** Longest one turn of the event loop spends reading an event (default 20 ms); a larger one goes on in later turns. */
    turnMs?: number;
  }) {}

  /** Follow the feed; every open record is computed once at start (its footprint is not known yet). */
  async start(): Promise<void> {
    this.unsubscribe = this.deps.feed.subscribe((e) => this.take(e));
    for (const id of await this.deps.incidents.activeIds()) this.mark(`incident:${id}`, 'start');
    for (const c of await this.deps.changes.openChanges()) this.mark(`change:${c.id}`, 'start');
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private mark(key: Key, reason: string) {
    if (!this.dirty.has(key)) this.dirty.set(key, reason);
    this.status.pending = this.dirty.size;
    this.schedule(this.deps.debounceMs ?? 500);
  }

  private schedule(ms: number) {
    if (this.stopped || this.status.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = null; void this.pass(); }, ms);
    this.timer.unref?.();
  }

  /**
   * Events are read one after another, each in as many turns as it takes; the feed does not wait for it (nothing a
   * request reads depends on which records are marked, and their recomputation is debounced anyway).
   */
  private take(e: ChangeEvent): void {
    const read = () => this.onEvent(e);
    const pending = this.reading ? this.reading.then(read) : read();
    if (!pending) return;
    const tracked: Promise<void> = pending.catch((err) => this.fail(err)).finally(() => { if (this.reading === tracked) this.reading = null; });
    this.reading = tracked;
  }

  /** Settles once the events delivered so far are read (their records marked). */
  async caughtUp(): Promise<void> { while (this.reading) await this.reading; }

  /**
   * Which records an event may change. Pure bookkeeping, no store reads, in turns of `turnMs`: a 50k-CI batch
   * touches 100k CIs, each looked up in every open record's footprint (undefined when it all fitted in this turn).
   */
  onEvent(e: ChangeEvent): Promise<void> | undefined {
    if (e.source === WORKFLOW_SOURCE || this.stopped) return undefined;
    return stepsInTurns(this.read(e), this.deps.turnMs ?? 20);
  }

  /** onEvent's work, yielding after each change and every few footprint lookups. */
  private *read(e: ChangeEvent): Generator<void> {
    const touched = new Set<string>();
    for (const c of e.changes) {
      yield;
      if (c.ci) touched.add(c.ci.id);
      if (c.relation) { touched.add(c.relation.from); touched.add(c.relation.to); }
      if (!c.ref) continue;
      if (c.kind.startsWith('incident.')) {
        // Another incident counts in every open incident's impact (shared providers).
        for (const key of this.footprints.keys()) if (key.startsWith('incident:') && key !== `incident:${c.ref}`) this.mark(key, `incident ${c.ref} changed`);
        if (c.kind === 'incident.opened') this.mark(`incident:${c.ref}`, 'opened');
      } else if (c.kind.startsWith('change.')) {
        void this.changeMoved(c.ref);
      } else if (c.kind === 'window.created') {
        for (const key of this.footprints.keys()) if (key.startsWith('change:')) this.mark(key, 'a window was created');
      }
    }
    if (!touched.size) return;
    // A record is marked when its footprint and the touched CIs meet: the smaller set is walked, the larger probed.
    // The footprints as they are when each is reached (one dropped meanwhile is skipped, as a closed change should be).
    for (const [key, footprint] of this.footprints) {
      if (this.stopped) return;
      const [walk, probe] = footprint.size < touched.size ? [footprint, touched] : [touched, footprint];
      let n = 0;
      for (const id of walk) {
        if (probe.has(id)) { this.mark(key, 'the graph changed'); break; }
        if ((++n & 63) === 0) yield;
      }
      yield;
    }
  }

  /** A change moved: it and the open changes whose windows overlap it may collide differently now. */
  private async changeMoved(id: string) {
    try {
      const open = await this.deps.changes.openChanges();
      const moved = open.find((c) => c.id === id);
      if (moved && !this.footprints.has(`change:${id}`)) this.mark(`change:${id}`, 'recorded');
      if (!moved) this.footprints.delete(`change:${id}`);
      for (const c of open) {
        if (c.id === id) continue;
        if (!moved || overlaps(c.window, moved.window) || (c.assessment?.collisions ?? []).includes(id)) this.mark(`change:${c.id}`, `change ${id} moved`);
      }
    } catch (e) { this.fail(e); }
  }

  private async pass(): Promise<void> {
    if (this.stopped || this.status.running) return;
    this.status.running = true;
    const started = Date.now();
    let failed = false;
    try {
      const batch = [...this.dirty].slice(0, PER_PASS);
      for (const [key, reason] of batch) {
        if (this.stopped) return;
        this.dirty.delete(key);
        try {
          await this.recompute(key, reason);
          this.status.recomputed++;
        } catch (e) {
          // Put it back for the next pass (a write conflict or a store hiccup), after a back-off.
          this.dirty.set(key, reason);
          this.fail(e);
          failed = true;
          break;
        }
        // One record's impact may take a while on a large estate: let requests in between.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.status.running = false;
      this.status.pending = this.dirty.size;
      this.status.lastPassAt = new Date().toISOString();
      this.status.lastPassMs = Date.now() - started;
    }
    if (!failed) this.backoffMs = 0;
    if (this.dirty.size) this.schedule(failed ? this.backoffMs : 0);
  }

  private async recompute(key: Key, reason: string) {
    const [kind, id] = key.split(/:(.*)/s) as ['incident' | 'change', string];
    if (kind === 'incident') {
      await this.deps.incidents.refresh(id);
      const fp = await this.deps.incidents.footprint(id);
      if (fp) this.footprints.set(key, fp); else this.footprints.delete(key);
    } else {
      await this.deps.changes.reassess(id, null, reason);
      const fp = await this.deps.changes.footprint(id);
      if (fp) this.footprints.set(key, fp); else this.footprints.delete(key);
    }
  }

  private fail(e: unknown) {
    this.status.failures++;
    this.status.lastError = e instanceof Error ? e.message : String(e);
    this.backoffMs = Math.min(this.deps.maxBackoffMs ?? 60_000, this.backoffMs ? this.backoffMs * 2 : 1000);
    this.deps.log?.(`reassessor: ${this.status.lastError} (retrying in ${this.backoffMs} ms)`);
  }
}
