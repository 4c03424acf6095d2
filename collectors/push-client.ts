import { randomBytes, randomUUID } from 'node:crypto';
import type { IngestCounts, IngestResult } from '../server/model/ingest.ts';
import { defaultBatchLimits, planBatches, type BatchLimits } from './push-plan.ts';
import { describeRefused, type RefusedItem } from './refused-items.ts';
import type { Collected } from './types.ts';

export interface PushProgress {
  batch: number;
  batches: number;
  cisPushed: number;
  relationsPushed: number;
  cisTotal: number;
  relationsTotal: number;
  /** Items (CIs + relations) acknowledged per second since the push started. */
  itemsPerSecond: number;
}

export interface PushOptions {
  server: string;
  token?: string;
  source: string;
  force?: boolean;
  /** Defaults to a fresh id; every batch of the run carries it. */
  runId?: string;
  limits?: Partial<BatchLimits>;
  /** Attempts per batch on network errors and 5xx (never on 4xx). */
  attempts?: number;
  /** First backoff; doubles each retry, with jitter, up to maxBackoffMs. A 429/503 Retry-After wins. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Per attempt: a server that does not answer in time counts as a network error (and is retried). */
  timeoutMs?: number;
  onProgress?: (p: PushProgress) => void;
  onRetry?: (info: { batch: number; attempt: number; delayMs: number; reason: string }) => void;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface PushSummary {
  runId: string;
  batches: number;
  cis: IngestCounts;
  relations: IngestCounts;
  runCompleted: boolean;
  /**
   * Items the server refused one by one (a name it does not accept, a relation to a CI it cannot find); it wrote
   * the rest of their batch. A run with any is not completed by the server, so nothing is retired for it: a CI
   * that was refused this time would otherwise be retired as no longer seen.
   */
  refused: RefusedItem[];
  /** Why the run was not completed, as the server says it (items refused), when it was not. */
  notCompleted?: string;
}

/** The server refused a batch (4xx), or kept failing (5xx, 429, network, timeout) after every retry. Nothing later was sent. */
export class PushError extends Error {
  constructor(
    message: string,
    readonly batch: number,
    readonly status?: number,
    readonly code?: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The server refused the batch for its size: a smaller one would be accepted. */
  get tooLarge(): boolean {
    return this.status === 413 || (this.code !== undefined && TOO_MANY.has(this.code));
  }
}

const zero = (): IngestCounts => ({ created: 0, updated: 0, unchanged: 0, retired: 0 });
const addCounts = (a: IngestCounts, b: IngestCounts) => {
  a.created += b.created;
  a.updated += b.updated;
  a.unchanged += b.unchanged;
  a.retired += b.retired;
};

export function newRunId(source: string): string {
  return `${source}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * Pushes one collector run: batches in order, one runId, `complete: true` only on the last batch and so
 * only after every earlier batch was acknowledged (a run that dies midway retires nothing). Re-sending
 * a batch is safe: each batch carries an Idempotency-Key kept across its retries, so a batch applied
 * before a lost reply is answered with its first reply and not applied again.
 * A batch the server finds too large (a server configured below our defaults) is split, not failed. Items the server
 * refuses one by one (it writes the rest) are listed in `refused`, and the server then does not complete the run;
 * any 4xx stops the push.
 */
export async function pushCollected(c: Collected, opts: PushOptions): Promise<PushSummary> {
  let limits: BatchLimits = { ...defaultBatchLimits, ...opts.limits };
  let batches = planBatches(c, limits);
  const runId = opts.runId ?? newRunId(opts.source);
  const started = Date.now();
  const summary: PushSummary = { runId, batches: batches.length, cis: zero(), relations: zero(), runCompleted: false, refused: [] };
  let cisPushed = 0;
  let relationsPushed = 0;
  for (let i = 0; i < batches.length; i++) {
    const last = i === batches.length - 1;
    const body = {
      source: opts.source,
      scope: c.scope,
      runId,
      // The server keeps a run with refused items open whatever this says (it counts them per run).
      complete: last,
      ...(last && opts.force ? { force: true } : {}),
      cis: batches[i].cis,
      relations: batches[i].relations,
    };
    let result: IngestResult;
    try {
      // One key per batch, the same on every retry of it: a batch the server committed before its reply was
      // lost is answered from the server's record instead of being applied again (a completing batch would
      // otherwise meet its own completed run).
      result = await sendWithRetry(body, i + 1, opts, randomUUID());
    } catch (e) {
      const items = batches[i].cis.length + batches[i].relations.length;
      if (!(e instanceof PushError) || !e.tooLarge || items < 2) throw e;
      // The server's limits are lower than ours (SERVICEGRAPH_LIMIT_*): halve them and plan the rest again.
      limits = { cis: halve(batches[i].cis.length, limits.cis), relations: halve(batches[i].relations.length, limits.relations), bytes: Math.max(1, Math.floor(limits.bytes / 2)) };
      const rest = batches.slice(i);
      batches = [...batches.slice(0, i), ...planBatches({ cis: rest.flatMap((b) => b.cis), relations: rest.flatMap((b) => b.relations) }, limits)];
      summary.batches = batches.length;
      opts.onRetry?.({ batch: i + 1, attempt: 1, delayMs: 0, reason: `${e.message}; splitting into smaller batches (${limits.cis} CIs, ${limits.relations} relations)` });
      i--;
      continue;
    }
    addCounts(summary.cis, result.cis);
    addCounts(summary.relations, result.relations);
    summary.runCompleted = result.runCompleted;
    // One bad record never blocks the good ones: the server wrote the rest of the batch and names what it refused.
    summary.refused.push(...describeRefused(batches[i], result.refused ?? []));
    if (result.runNotCompleted) summary.notCompleted = result.runNotCompleted.message;
    cisPushed += batches[i].cis.length;
    relationsPushed += batches[i].relations.length;
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    opts.onProgress?.({
      batch: i + 1,
      batches: batches.length,
      cisPushed,
      relationsPushed,
      cisTotal: c.cis.length,
      relationsTotal: c.relations.length,
      itemsPerSecond: (cisPushed + relationsPushed) / seconds,
    });
  }
  return summary;
}

/** Half of what a refused batch held (at least 1), so that the next try is smaller on that count. */
function halve(held: number, limit: number): number {
  return Math.max(1, Math.floor(Math.min(held || limit, limit) / 2));
}

/**
 * Codes the server gives a batch over its count limits: splitting helps, unlike any other 400 (a 400
 * `too_large` is one CI's attributes, which no split makes smaller). A 413 is the body limit.
 */
const TOO_MANY = new Set(['too_many_cis', 'too_many_relations']);
/** 4xx that say "later", not "wrong": retried like a 5xx. */
const RETRY_4XX = new Set([408, 425, 429]);

/** Retry-After as seconds or an HTTP date, in milliseconds. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function sendWithRetry(body: object, batch: number, opts: PushOptions, idempotencyKey: string): Promise<IngestResult> {
  const attempts = opts.attempts ?? 5;
  const doFetch = opts.fetch ?? fetch;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const url = new URL('/api/v1/ingest', opts.server).toString();
  const payload = JSON.stringify(body);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    let serverDelay: number | undefined;
    try {
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
        body: payload,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      if (res.ok) return JSON.parse(text) as IngestResult;
      const err = parseError(text);
      const code = err.code;
      if (res.status < 500 && !RETRY_4XX.has(res.status)) {
        // A 4xx says the batch itself is wrong (or not allowed): sending it again cannot help.
        throw new PushError(`batch ${batch}: HTTP ${res.status}${code ? ` ${code}` : ''}: ${err.message}`, batch, res.status, code, err.details);
      }
      reason = `HTTP ${res.status}${code ? ` ${code}` : ''}: ${err.message}`;
      serverDelay = retryAfterMs(res.headers.get('retry-after'));
      if (attempt >= attempts) throw new PushError(`batch ${batch}: ${reason} (gave up after ${attempt} attempts)`, batch, res.status, code, err.details);
    } catch (e) {
      if (e instanceof PushError) throw e;
      const name = (e as Error).name;
      reason = name === 'TimeoutError' || name === 'AbortError'
        ? `no answer within ${timeoutMs / 1000} s`
        : `network error: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`;
      if (attempt >= attempts) throw new PushError(`batch ${batch}: ${reason} (gave up after ${attempt} attempts)`, batch);
    }
    const maxBackoff = opts.maxBackoffMs ?? 10_000;
    const base = Math.min((opts.backoffMs ?? 500) * 2 ** (attempt - 1), maxBackoff);
    const jittered = Math.round(base / 2 + Math.random() * (base / 2));
    // The server's Retry-After is honoured (up to a minute), never undercut by our own backoff.
    const delayMs = serverDelay === undefined ? jittered : Math.max(jittered, Math.min(serverDelay, 60_000));
    opts.onRetry?.({ batch, attempt, delayMs, reason });
    await sleep(delayMs);
  }
}

function parseError(text: string): { code?: string; message: string; details?: unknown } {
  try {
    const j = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } };
    if (j.error) return { code: j.error.code, message: j.error.message ?? text, details: j.error.details };
  } catch {
    /* not JSON: show the text */
  }
  return { message: text.slice(0, 500) || '(empty body)' };
}
