import { randomBytes } from 'node:crypto';
import type { IngestCounts, IngestResult } from '../server/model/ingest.ts';
import { defaultBatchLimits, planBatches, type BatchLimits } from './push-plan.ts';
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
  /** First backoff; doubles each retry, with jitter, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
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
}

/** The server refused a batch (4xx), or kept failing (5xx, network) after every retry. Nothing later was sent. */
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
 * a batch is safe: ingest identifies CIs, so a batch applied before a lost reply comes back unchanged.
 */
export async function pushCollected(c: Collected, opts: PushOptions): Promise<PushSummary> {
  const batches = planBatches(c, { ...defaultBatchLimits, ...opts.limits });
  const runId = opts.runId ?? newRunId(opts.source);
  const started = Date.now();
  const summary: PushSummary = { runId, batches: batches.length, cis: zero(), relations: zero(), runCompleted: false };
  let cisPushed = 0;
  let relationsPushed = 0;
  for (let i = 0; i < batches.length; i++) {
    const last = i === batches.length - 1;
    const body = {
      source: opts.source,
      scope: c.scope,
      runId,
      complete: last,
      ...(last && opts.force ? { force: true } : {}),
      cis: batches[i].cis,
      relations: batches[i].relations,
    };
    const result = await sendWithRetry(body, i + 1, opts);
    addCounts(summary.cis, result.cis);
    addCounts(summary.relations, result.relations);
    summary.runCompleted = result.runCompleted;
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

async function sendWithRetry(body: object, batch: number, opts: PushOptions): Promise<IngestResult> {
  const attempts = opts.attempts ?? 5;
  const doFetch = opts.fetch ?? fetch;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const url = new URL('/api/v1/ingest', opts.server).toString();
  const payload = JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    try {
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
        body: payload,
      });
      const text = await res.text();
      if (res.ok) return JSON.parse(text) as IngestResult;
      const err = parseError(text);
      if (res.status < 500) {
        // A 4xx says the batch itself is wrong (or not allowed): sending it again cannot help.
        throw new PushError(`batch ${batch}: HTTP ${res.status}${err.code ? ` ${err.code}` : ''}: ${err.message}`, batch, res.status, err.code, err.details);
      }
      reason = `HTTP ${res.status}${err.code ? ` ${err.code}` : ''}: ${err.message}`;
      if (attempt >= attempts) throw new PushError(`batch ${batch}: ${reason} (gave up after ${attempt} attempts)`, batch, res.status, err.code, err.details);
    } catch (e) {
      if (e instanceof PushError) throw e;
      reason = `network error: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`;
      if (attempt >= attempts) throw new PushError(`batch ${batch}: ${reason} (gave up after ${attempt} attempts)`, batch);
    }
    const base = Math.min((opts.backoffMs ?? 500) * 2 ** (attempt - 1), opts.maxBackoffMs ?? 10_000);
    const delayMs = Math.round(base / 2 + Math.random() * (base / 2));
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
