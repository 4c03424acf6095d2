import { LineCounter, parseAllDocuments, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';
import { CollectError } from '../types.ts';

/** One catalog entity as read, with where it was read (for errors and Location targets). */
export interface RawEntity {
  kind: string;
  namespace: string;
  name: string;
  spec: Record<string, unknown>;
  metadata: Record<string, unknown>;
  file: string;
  line: number;
  /** Line of a spec field, for errors raised while transforming. */
  lineOf(field: string): number;
}

/**
 * Parse a catalog file (multi-document YAML) into entities, strictly: YAML errors, documents that
 * are not Backstage entities, and entities without kind or name fail the whole file with its line.
 */
export function parseCatalogText(text: string, file: string): RawEntity[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  if (!Array.isArray(docs)) return []; // an empty stream
  const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  const out: RawEntity[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) throw new CollectError(`invalid YAML: ${err.message.split('\n')[0]}`, file, lineAt(err.pos[0]));
    if (doc.contents === null) continue; // an empty document between `---` separators
    const line = lineAt(doc.contents.range?.[0]);
    if (!isMap(doc.contents)) throw new CollectError('expected a Backstage entity (a mapping with apiVersion, kind, metadata)', file, line);
    const value = doc.toJS() as Record<string, unknown>;
    const apiVersion = value.apiVersion;
    if (typeof apiVersion !== 'string' || !/^backstage\.io\//.test(apiVersion)) {
      throw new CollectError(`not a Backstage entity: apiVersion ${JSON.stringify(apiVersion ?? null)} (expected backstage.io/...)`, file, line);
    }
    const metadata = value.metadata;
    if (typeof value.kind !== 'string' || !value.kind) throw new CollectError('entity without kind', file, line);
    if (!isPlainObject(metadata) || typeof metadata.name !== 'string' || !metadata.name) throw new CollectError('entity without metadata.name', file, line);
    const spec = value.spec ?? {};
    if (!isPlainObject(spec)) throw new CollectError('spec must be a mapping', file, lineOfPath(doc, ['spec'], lineAt) ?? line);
    out.push({
      kind: value.kind.toLowerCase(),
      namespace: typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace.toLowerCase() : 'default',
      name: metadata.name,
      spec, metadata, file, line,
      lineOf: (field) => lineOfPath(doc, ['spec', field], lineAt) ?? line,
    });
  }
  return out;
}

function lineOfPath(doc: Document, path: string[], lineAt: (o: number | undefined) => number): number | undefined {
  const node = doc.getIn(path, true) as Node | undefined;
  if (!node || !(isMap(node) || isSeq(node) || isScalar(node))) return undefined;
  return lineAt(node.range?.[0]);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
