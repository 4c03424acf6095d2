import { ENVIRONMENT_KEYS, notePeerAttribute, SERVICE_NAME, spanKindOf, type FoldSpan, type PeerAttributes } from './span.ts';

/**
 * OTLP/HTTP JSON (ExportTraceServiceRequest) to fold spans: resourceSpans → scopeSpans → spans,
 * attribute values as `{stringValue|intValue|boolValue|doubleValue|...}`, ids in hex, times as
 * decimal strings of nanoseconds (the protobuf JSON mapping of int64), enums as numbers or names.
 * Strict on what edges are built from (ids, kind, status, times), ignoring the rest as OTLP asks
 * receivers to (fields added by newer protocol versions must not break an older receiver).
 */
export class OtlpFormatError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const HEX_ID = /^[0-9a-fA-F]+$/;

export function isOtlpTraces(doc: unknown): boolean {
  return isObject(doc) && 'resourceSpans' in doc;
}

/** One attribute value as a plain JS value (arrays and maps are not needed for edges: undefined). */
export function anyValue(v: unknown): string | number | boolean | undefined {
  if (!isObject(v)) return undefined;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (typeof v.doubleValue === 'number') return v.doubleValue;
  return undefined;
}

function arrayAt(parent: Json, key: string, path: string, required: boolean): unknown[] {
  const v = parent[key];
  if (v === undefined || v === null) {
    if (required) throw new OtlpFormatError(path, `${key} is missing`);
    return [];
  }
  if (!Array.isArray(v)) throw new OtlpFormatError(`${path}.${key}`, 'expected an array');
  return v;
}

function idAt(span: Json, key: string, path: string, required: boolean): string {
  const v = span[key];
  if (v === undefined || v === '' || v === null) {
    if (required) throw new OtlpFormatError(`${path}.${key}`, 'is missing');
    return '';
  }
  if (typeof v !== 'string' || !HEX_ID.test(v)) throw new OtlpFormatError(`${path}.${key}`, 'expected a hex id');
  return v.toLowerCase();
}

/** int64 nanoseconds (string or number) to epoch milliseconds. */
function nanosToMs(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.floor(v / 1e6);
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return v.length > 6 ? Number(v.slice(0, -6)) : 0;
  throw new OtlpFormatError(path, 'expected nanoseconds since the epoch');
}

interface ResourceInfo { service: string; environment?: string }

function resourceInfo(rs: Json, path: string): ResourceInfo {
  const resource = rs.resource;
  let service: string | undefined;
  let environment: string | undefined;
  if (isObject(resource)) {
    for (const a of arrayAt(resource, 'attributes', `${path}.resource`, false)) {
      if (!isObject(a)) continue;
      if (a.key === SERVICE_NAME) service = anyValue(a.value)?.toString();
      else if (ENVIRONMENT_KEYS.includes(a.key as string)) environment ??= anyValue(a.value)?.toString();
    }
  }
  // The SDKs' own fallback when service.name is unset; keeping it shows the misconfiguration on the map.
  return { service: service || 'unknown_service', environment: environment || undefined };
}

/**
 * Visit every span of one request, validated, as a fold span. A malformed span throws, unless
 * `reject` is given: then it is reported and skipped (OTLP's partial success for live receivers).
 */
export function forEachOtlpSpan(doc: unknown, visit: (span: FoldSpan) => void, reject?: (e: OtlpFormatError) => void): void {
  if (!isObject(doc)) throw new OtlpFormatError('$', 'expected an object with resourceSpans');
  const resourceSpans = arrayAt(doc, 'resourceSpans', '$', true);
  for (let r = 0; r < resourceSpans.length; r++) {
    const rPath = `resourceSpans[${r}]`;
    const rs = resourceSpans[r];
    if (!isObject(rs)) throw new OtlpFormatError(rPath, 'expected an object');
    const res = resourceInfo(rs, rPath);
    const scopeSpans = arrayAt(rs, 'scopeSpans', rPath, false);
    for (let s = 0; s < scopeSpans.length; s++) {
      const sPath = `${rPath}.scopeSpans[${s}]`;
      const ss = scopeSpans[s];
      if (!isObject(ss)) throw new OtlpFormatError(sPath, 'expected an object');
      const spans = arrayAt(ss, 'spans', sPath, false);
      for (let i = 0; i < spans.length; i++) {
        let span: FoldSpan;
        try {
          span = foldSpan(spans[i], res, `${sPath}.spans[${i}]`);
        } catch (e) {
          if (!reject || !(e instanceof OtlpFormatError)) throw e;
          reject(e);
          continue;
        }
        visit(span);
      }
    }
  }
}

function foldSpan(raw: unknown, res: ResourceInfo, path: string): FoldSpan {
  if (!isObject(raw)) throw new OtlpFormatError(path, 'expected an object');
  const kind = spanKindOf(raw.kind);
  if (!kind) throw new OtlpFormatError(`${path}.kind`, `unknown span kind ${JSON.stringify(raw.kind)}`);
  let peer: PeerAttributes | null = null;
  const attrs = raw.attributes;
  if (attrs !== undefined && attrs !== null) {
    if (!Array.isArray(attrs)) throw new OtlpFormatError(`${path}.attributes`, 'expected an array');
    for (const a of attrs) {
      if (isObject(a) && typeof a.key === 'string') peer = notePeerAttribute(peer, a.key, anyValue(a.value));
    }
  }
  const status = raw.status;
  const code = isObject(status) ? status.code : undefined;
  return {
    traceId: idAt(raw, 'traceId', path, true),
    spanId: idAt(raw, 'spanId', path, true),
    parentSpanId: idAt(raw, 'parentSpanId', path, false),
    service: res.service,
    environment: res.environment,
    kind,
    error: code === 2 || code === 'STATUS_CODE_ERROR',
    endMs: nanosToMs(raw.endTimeUnixNano ?? raw.startTimeUnixNano ?? 0, `${path}.endTimeUnixNano`),
    peer,
  };
}
