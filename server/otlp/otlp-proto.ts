import { createRequire } from 'node:module';
import { ENVIRONMENT_KEYS, notePeerAttribute, SERVICE_NAME, spanKindOf, type FoldSpan, type PeerAttributes } from '../../common/otel/span.ts';
import { OtlpFormatError } from '../../common/otel/otlp-json.ts';

/**
 * OTLP protobuf (ExportTraceServiceRequest, as OTLP/HTTP `application/x-protobuf` and OTLP/gRPC send it)
 * decoded by the code protobuf.js generated from the official opentelemetry-proto definitions, as
 * shipped in @opentelemetry/otlp-transformer 0.216 (installed as `otlp-transformer-generated`; later
 * releases of the package write protobuf by hand and carry no decoder). Then folded exactly like the JSON
 * encoding: ids to hex, fixed64 nanoseconds to milliseconds, peer attributes to the one FoldSpan shape.
 */
const require = createRequire(import.meta.url);

/** What the generated code hands back (protobuf.js messages; unset fields are null, 64-bit ints Long). */
interface Long { low: number; high: number }
interface AnyValue { stringValue?: string | null; boolValue?: boolean | null; intValue?: Long | number | null; doubleValue?: number | null }
interface KeyValue { key?: string | null; value?: AnyValue | null }
interface PbSpan {
  traceId?: Uint8Array | null; spanId?: Uint8Array | null; parentSpanId?: Uint8Array | null;
  name?: string | null; kind?: number | null; startTimeUnixNano?: Long | number | null; endTimeUnixNano?: Long | number | null;
  attributes?: KeyValue[] | null; status?: { code?: number | null } | null;
}
export interface PbExportTraceServiceRequest {
  resourceSpans?: { resource?: { attributes?: KeyValue[] | null } | null; scopeSpans?: { scope?: { name?: string | null } | null; spans?: PbSpan[] | null }[] | null }[] | null;
}
interface MessageType<T> { decode(data: Uint8Array): T; encode(message: T): { finish(): Uint8Array }; toObject(message: T, options: { longs: NumberConstructor }): T }
export interface PartialSuccess { rejectedSpans?: number; errorMessage?: string }
export interface PbExportTraceServiceResponse { partialSuccess?: PartialSuccess | null }

const v1 = (require('otlp-transformer-generated/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { trace: { v1: {
    ExportTraceServiceRequest: MessageType<PbExportTraceServiceRequest>;
    ExportTraceServiceResponse: MessageType<PbExportTraceServiceResponse>;
  } } } } };
}).opentelemetry.proto.collector.trace.v1;

/** The gRPC method path of TraceService/Export. */
export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

export function decodeTraceRequest(body: Uint8Array): PbExportTraceServiceRequest {
  try {
    return v1.ExportTraceServiceRequest.decode(body);
  } catch (e) {
    throw new OtlpFormatError('$', `not a protobuf ExportTraceServiceRequest (${(e as Error).message})`);
  }
}

/** A request as an exporter sends it, encoded by the same generated code (for clients: tests, the bench). */
export function encodeTraceRequest(msg: PbExportTraceServiceRequest): Uint8Array {
  return v1.ExportTraceServiceRequest.encode(msg).finish();
}

/** The reply: `partialSuccess` only when something was rejected or there is a warning, as the spec says. */
export function encodeTraceResponse(partial: PartialSuccess | null): Buffer {
  const bytes = v1.ExportTraceServiceResponse.encode(partial ? { partialSuccess: partial } : {}).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A reply as a plain object (int64 counts as numbers): what an exporter reads back. */
export function decodeTraceResponse(body: Uint8Array): PbExportTraceServiceResponse {
  const type = v1.ExportTraceServiceResponse;
  return type.toObject(type.decode(body), { longs: Number });
}

function hex(id: Uint8Array | null | undefined): string {
  if (!id || id.length === 0) return '';
  return (Buffer.isBuffer(id) ? id : Buffer.from(id.buffer, id.byteOffset, id.byteLength)).toString('hex');
}

/** fixed64 nanoseconds (Long, or a number when Long is absent) to epoch milliseconds. */
function nanosToMs(v: Long | number | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return Math.floor(v / 1e6);
  return Math.floor((v.high >>> 0) * 4294.967296 + (v.low >>> 0) / 1e6);
}

function stringOf(v: AnyValue | null | undefined): string | undefined {
  if (!v) return undefined;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (v.intValue !== null && v.intValue !== undefined) return String(typeof v.intValue === 'number' ? v.intValue : BigInt.asUintN(64, (BigInt(v.intValue.high >>> 0) << 32n) | BigInt(v.intValue.low >>> 0)));
  if (typeof v.boolValue === 'boolean') return String(v.boolValue);
  if (typeof v.doubleValue === 'number') return String(v.doubleValue);
  return undefined;
}

/** Visit every span of one decoded request as a fold span; a span without ids is rejected, the rest kept. */
export function forEachProtoSpan(msg: PbExportTraceServiceRequest, visit: (span: FoldSpan) => void, reject: (e: OtlpFormatError) => void): void {
  const resourceSpans = msg.resourceSpans ?? [];
  for (let r = 0; r < resourceSpans.length; r++) {
    const rs = resourceSpans[r];
    let service: string | undefined;
    let environment: string | undefined;
    for (const a of rs.resource?.attributes ?? []) {
      if (a.key === SERVICE_NAME) service = stringOf(a.value);
      else if (a.key && ENVIRONMENT_KEYS.includes(a.key)) environment ??= stringOf(a.value);
    }
    // The SDKs' own fallback when service.name is unset; keeping it shows the misconfiguration on the map.
    service ||= 'unknown_service';
    environment ||= undefined;
    const scopeSpans = rs.scopeSpans ?? [];
    for (let s = 0; s < scopeSpans.length; s++) {
      const spans = scopeSpans[s].spans ?? [];
      for (let i = 0; i < spans.length; i++) {
        const raw = spans[i];
        const path = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
        const traceId = hex(raw.traceId);
        const spanId = hex(raw.spanId);
        if (!traceId || !spanId) { reject(new OtlpFormatError(`${path}.${traceId ? 'spanId' : 'traceId'}`, 'is missing')); continue; }
        const kind = spanKindOf(raw.kind ?? 0);
        if (!kind) { reject(new OtlpFormatError(`${path}.kind`, `unknown span kind ${raw.kind}`)); continue; }
        let peer: PeerAttributes | null = null;
        for (const a of raw.attributes ?? []) {
          if (a.key && a.value && typeof a.value.stringValue === 'string') peer = notePeerAttribute(peer, a.key, a.value.stringValue);
        }
        visit({
          traceId, spanId, parentSpanId: hex(raw.parentSpanId), service, environment, kind,
          error: raw.status?.code === 2,
          endMs: nanosToMs(raw.endTimeUnixNano ?? raw.startTimeUnixNano),
          peer,
        });
      }
    }
  }
}
