/** The live OTLP receiver's settings (SERVICEGRAPH_OTLP_*, read once by server/config.ts, which takes its defaults from here). */
export interface OtlpSettings {
  /** Flush folded edges to the store at least this often... */
  flushMs: number;
  /** ...or as soon as this many spans were folded since the last flush. */
  flushSpans: number;
  /** How long a span waits for its parent or child (spans of one trace arrive from several services). */
  pairWindowMs: number;
  maxEdges: number;
  maxServices: number;
  maxPending: number;
  /** CIs live traces may create per hour (a token bucket): a flood of junk service names cannot grow the store without bound. */
  maxNewCisPerHour: number;
  /** Observed-only CIs and edges not seen for this long are retired, as a completing run retires what it no longer sees; 0: never. */
  retireAfterHours: number;
}

export const defaultOtlpSettings: OtlpSettings = {
  flushMs: 10_000, flushSpans: 200_000, pairWindowMs: 30_000, maxEdges: 20_000, maxServices: 10_000, maxPending: 200_000,
  maxNewCisPerHour: 1_000, retireAfterHours: 168,
};
