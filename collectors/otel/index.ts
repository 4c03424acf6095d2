import { resolve } from 'node:path';
import { readInputs } from '../shared/inputs.ts';
import type { Collected, CollectInput, Collector } from '../types.ts';
import { CollectError } from '../types.ts';
import { SpanAggregator } from '../../common/otel/aggregator.ts';
import { lineOfJsonPath, parseJsonDocuments, pathSegments } from './json-input.ts';
import { toIngest } from '../../common/otel/to-ingest.ts';
import { foldDocument, statsLine } from './transform.ts';

/** Trace files → observed DEPENDS_ON edges (the live path is the server's POST /v1/traces). */
export const otelCollector: Collector = {
  source: 'otel',
  summary: 'OTLP/HTTP JSON or Jaeger JSON trace files to services and observed call edges',
  usage: 'servicegraph collect otel <file.json|file.jsonl|folder|->... [--scope S]',
  async collect(input: CollectInput): Promise<Collected> {
    if (input.inputs.length === 0) throw new CollectError('name at least one trace file or folder');
    const texts = (await readInputs(input.inputs, ['.json', '.jsonl', '.ndjson'])).map((f) => ({ file: f.path, text: f.text }));
    return { ...collectTraceTexts(texts, input.progress), scope: 'traces:' + input.inputs.map((i) => (i === '-' ? 'stdin' : resolve(i))).join(',').slice(0, 280) };
  },
};

/** The transform of whole files: everything folds into one aggregator, settled at the end. The scope names the files; the command names the inputs it was given. */
export function collectTraceTexts(files: { file: string; text: string }[], progress: (m: string) => void = () => {}): Collected {
  const agg = new SpanAggregator({ maxEdges: 1_000_000, maxServices: 1_000_000, maxPending: 5_000_000 });
  for (const { file, text } of files) {
    const docs = parseJsonDocuments(text, file);
    const jsonLines = docs.length > 1;
    const locate = (path: string) => lineOfJsonPath(text, pathSegments(path));
    docs.forEach((doc, i) => foldDocument(agg, doc, file, jsonLines ? lineOfDocument(text, i) : undefined, jsonLines ? undefined : locate));
    progress(`read ${file}`);
  }
  agg.expire();
  const { edges, services, stats } = agg.drain();
  const { cis, relations } = toIngest(edges, services);
  // Dependencies files have no times: leave lastSeen to the server rather than claim 1970.
  for (const r of relations) if (r.observed?.lastSeen === new Date(0).toISOString()) delete r.observed.lastSeen;
  const warnings = stats.unparented ? [`${stats.unparented} spans named a parent span that is in none of the files`] : [];
  progress(statsLine(stats));
  return { scope: 'traces:' + files.map((f) => resolve(f.file)).join(',').slice(0, 280), cis, relations, warnings };
}

function lineOfDocument(text: string, index: number): number {
  let seen = -1;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i].trim() !== '' && ++seen === index) return i + 1;
  return lines.length;
}
