import { SpanAggregator, type AggregatorStats } from '../../common/otel/aggregator.ts';
import { classifyJaeger, jaegerSpans, JaegerFormatError } from './jaeger-json.ts';
import { forEachOtlpSpan, isOtlpTraces, OtlpFormatError } from '../../common/otel/otlp-json.ts';
import { CollectError } from '../types.ts';

/** Which format a document was read as; the tests and the summary report it. */
export type TraceFormat = 'otlp' | 'jaeger' | 'jaeger-dependencies';

/**
 * Fold one parsed document into the aggregator. Pure but for the aggregator it feeds: the file
 * collector folds every file into one aggregator, so a trace split over files still pairs up.
 */
export function foldDocument(agg: SpanAggregator, doc: unknown, file: string, line?: number, lineOfPath?: (path: string) => number): TraceFormat {
  try {
    if (isOtlpTraces(doc)) {
      forEachOtlpSpan(doc, (s) => agg.add(s));
      return 'otlp';
    }
    const jaeger = classifyJaeger(doc);
    if (!jaeger) throw new CollectError('not OTLP JSON traces (resourceSpans), a Jaeger trace (traceID/spans) or Jaeger dependencies ([{parent, child, callCount}])', file, line);
    if (jaeger.kind === 'dependencies') {
      for (const l of jaeger.links) {
        // A dependencies file is already aggregated and carries no times: the server stamps lastSeen.
        agg.countEdge({ class: 'service', name: l.parent }, { class: 'service', name: l.child }, l.callCount, 0, 0, 'parent');
      }
      return 'jaeger-dependencies';
    }
    for (const t of jaeger.traces) agg.addAll(jaegerSpans(t.trace, t.path));
    return 'jaeger';
  } catch (e) {
    if (e instanceof OtlpFormatError || e instanceof JaegerFormatError) throw new CollectError(e.message, file, line ?? lineOfPath?.(e.path));
    throw e;
  }
}

export function statsLine(s: AggregatorStats): string {
  return `${s.spans} spans, ${s.paired} cross-service pairs, ${s.virtual} peer-attribute calls` +
    (s.droppedEdges || s.droppedServices ? `, dropped ${s.droppedEdges} edge and ${s.droppedServices} service observations over the caps` : '');
}
