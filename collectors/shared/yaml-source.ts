import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type ParsedNode } from 'yaml';
import { CollectError } from '../types.ts';

/** One parsed YAML (or JSON: a subset of YAML) document, able to say on which line a value stands. */
export interface SourceDoc {
  file: string;
  value: unknown;
  /** 1-based line of the node at `path`, or of the nearest ancestor that exists. */
  lineOf(path: readonly (string | number)[]): number | undefined;
  /** Values carrying a local tag (`!reset`, `!override`), by path; their value is read as if untagged. */
  tags: { path: (string | number)[]; tag: string }[];
}

/**
 * Parses every document of a YAML stream strictly (duplicate keys and syntax errors fail with the
 * file and line), keeping positions so that later validation can point at the offending line.
 * YAML 1.1 merge keys (`<<: *anchor`) are honoured because compose files use them.
 */
export function parseYamlDocuments(text: string, file: string): SourceDoc[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, merge: true, prettyErrors: false });
  if (!Array.isArray(docs)) return []; // an empty stream
  const out: SourceDoc[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) throw new CollectError(`invalid YAML: ${firstLine(err.message)}`, file, lineCounter.linePos(err.pos[0]).line);
    const value = doc.toJS({ maxAliasCount: 1000 });
    out.push({ file, value, lineOf: (path) => lineOfPath(doc, lineCounter, path), tags: localTags(doc.contents) });
  }
  return out;
}

/** Local tags (one `!`, not the `!!` core ones) anywhere in the tree, with the key path to each. */
function localTags(root: ParsedNode | null): { path: (string | number)[]; tag: string }[] {
  const out: { path: (string | number)[]; tag: string }[] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    if (!node || typeof node !== 'object') return;
    const tag = (node as Node).tag;
    if (typeof tag === 'string' && /^![^!]/.test(tag)) out.push({ path, tag });
    if (isMap(node)) for (const p of node.items) walk(p.value, [...path, isScalar(p.key) ? String(p.key.value) : String(p.key)]);
    else if (isSeq(node)) node.items.forEach((x, i) => walk(x, [...path, i]));
  };
  walk(root, []);
  return out;
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}

function lineOfPath(doc: Document, lc: LineCounter, path: readonly (string | number)[]): number | undefined {
  // The line of a mapping entry is the line of its key: that is where a reader looks for a typo.
  for (let n = path.length; n > 0; n--) {
    const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
    const last = path[n - 1];
    let node: Node | null | undefined;
    if (isMap(parent)) node = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === last)?.key as Node | undefined;
    else if (isSeq(parent) && typeof last === 'number') node = parent.items[last] as Node | undefined;
    if (node?.range) return lc.linePos(node.range[0]).line;
  }
  return doc.contents?.range ? lc.linePos(doc.contents.range[0]).line : undefined;
}

/** Parses one document; an empty file is an empty object. */
export function parseYamlDocument(text: string, file: string): SourceDoc {
  const docs = parseYamlDocuments(text, file);
  if (docs.length > 1) throw new CollectError('expected a single YAML document', file, docs[1].lineOf([]));
  return docs[0] ?? { file, value: null, lineOf: () => undefined, tags: [] };
}
