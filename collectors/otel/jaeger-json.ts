import { ENVIRONMENT_KEYS, notePeerAttribute, spanKindOf, type FoldSpan, type PeerAttributes } from '../../common/otel/span.ts';

/**
 * Jaeger's query-API JSON: a trace `{traceID, spans, processes}`, the API envelope
 * `{data: [trace...]}` (or `{data: trace}` as some UIs save it), or a bare array of traces. Spans
 * name their parent in `references` (CHILD_OF first, FOLLOWS_FROM alike) and their service through
 * `processes[processID]`. Also `/api/dependencies` output: `[{parent, child, callCount}]`.
 */
export class JaegerFormatError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface DependencyLink { parent: string; child: string; callCount: number }

export type JaegerDoc = { kind: 'traces'; traces: { trace: Json; path: string }[] } | { kind: 'dependencies'; links: DependencyLink[] };

const isDependency = (v: unknown) => isObject(v) && typeof v.parent === 'string' && typeof v.child === 'string';
const isTrace = (v: unknown) => isObject(v) && Array.isArray(v.spans);

/** Which Jaeger shape a parsed document is; null when it is none of them. */
export function classifyJaeger(doc: unknown): JaegerDoc | null {
  const inner = isObject(doc) && 'data' in doc ? doc.data : doc;
  const base = inner === doc ? '$' : '$.data';
  if (Array.isArray(inner)) {
    if (inner.length > 0 && inner.every(isDependency)) return { kind: 'dependencies', links: dependencyLinks(inner, base) };
    if (inner.every(isTrace)) return { kind: 'traces', traces: inner.map((t, i) => ({ trace: t as Json, path: `${base}[${i}]` })) };
    return null;
  }
  if (isTrace(inner)) return { kind: 'traces', traces: [{ trace: inner as Json, path: base }] };
  return null;
}

function dependencyLinks(items: unknown[], base: string): DependencyLink[] {
  return items.map((d, i) => {
    const o = d as Json;
    const calls = o.callCount ?? 0;
    if (typeof calls !== 'number' || !Number.isInteger(calls) || calls < 0) throw new JaegerFormatError(`${base}[${i}].callCount`, 'expected a whole number');
    if (!o.parent || !o.child) throw new JaegerFormatError(`${base}[${i}]`, 'parent and child must be non-empty');
    return { parent: o.parent as string, child: o.child as string, callCount: calls };
  });
}

interface Tag { key: string; value: unknown }
function tagsAt(o: Json, path: string): Tag[] {
  const tags = o.tags;
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags)) throw new JaegerFormatError(`${path}.tags`, 'expected an array');
  return tags.filter((t): t is Tag => isObject(t) && typeof t.key === 'string');
}

interface Process { service: string; environment?: string }
function processOf(p: unknown, path: string): Process {
  if (!isObject(p) || typeof p.serviceName !== 'string' || !p.serviceName) throw new JaegerFormatError(path, 'a process needs a serviceName');
  const env = tagsAt(p, path).find((t) => ENVIRONMENT_KEYS.includes(t.key))?.value;
  return { service: p.serviceName, environment: typeof env === 'string' && env ? env : undefined };
}

/** Every span of one Jaeger trace as a fold span. */
export function jaegerSpans(trace: Json, path: string): FoldSpan[] {
  const processes = new Map<string, Process>();
  if (isObject(trace.processes)) {
    for (const [id, p] of Object.entries(trace.processes)) processes.set(id, processOf(p, `${path}.processes.${id}`));
  }
  const spans = trace.spans as unknown[];
  return spans.map((raw, i) => {
    const sPath = `${path}.spans[${i}]`;
    if (!isObject(raw)) throw new JaegerFormatError(sPath, 'expected an object');
    const traceId = raw.traceID;
    const spanId = raw.spanID;
    if (typeof traceId !== 'string' || !traceId) throw new JaegerFormatError(`${sPath}.traceID`, 'is missing');
    if (typeof spanId !== 'string' || !spanId) throw new JaegerFormatError(`${sPath}.spanID`, 'is missing');
    const proc = isObject(raw.process) ? processOf(raw.process, `${sPath}.process`) : processes.get(raw.processID as string);
    if (!proc) throw new JaegerFormatError(`${sPath}.processID`, `no process ${JSON.stringify(raw.processID)} in the trace`);
    const start = raw.startTime;
    const duration = raw.duration ?? 0;
    if (typeof start !== 'number' || typeof duration !== 'number') throw new JaegerFormatError(`${sPath}.startTime`, 'expected microseconds');

    let kind = spanKindOf(undefined)!;
    let error = false;
    let peer: PeerAttributes | null = null;
    for (const t of tagsAt(raw, sPath)) {
      if (t.key === 'span.kind') kind = spanKindOf(String(t.value)) ?? kind;
      else if (t.key === 'error') error ||= t.value === true || t.value === 'true';
      else if (t.key === 'otel.status_code') error ||= t.value === 'ERROR';
      else peer = notePeerAttribute(peer, t.key, t.value);
    }
    return {
      traceId: traceId.toLowerCase(), spanId: spanId.toLowerCase(), parentSpanId: parentOf(raw, sPath),
      service: proc.service, environment: proc.environment, kind, error,
      endMs: Math.floor((start + duration) / 1000), peer,
    };
  });
}

/** The first CHILD_OF reference, else the first FOLLOWS_FROM, else the old `parentSpanID` field. */
function parentOf(span: Json, path: string): string {
  const refs = span.references;
  if (refs !== undefined && refs !== null && !Array.isArray(refs)) throw new JaegerFormatError(`${path}.references`, 'expected an array');
  const list = (refs ?? []) as Json[];
  const ref = list.find((r) => isObject(r) && r.refType === 'CHILD_OF') ?? list.find((r) => isObject(r) && r.refType === 'FOLLOWS_FROM');
  const id = ref?.spanID ?? span.parentSpanID;
  return typeof id === 'string' && id !== '0' ? id.toLowerCase() : '';
}
