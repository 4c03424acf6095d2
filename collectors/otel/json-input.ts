import { CollectError } from '../types.ts';

/**
 * Parse JSON text naming the file and line of a syntax error. Files holding one document per line
 * (the OpenTelemetry Collector's file exporter writes JSON lines) are parsed line by line.
 */
export function parseJsonDocuments(text: string, file: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new CollectError('empty file', file, 1);
  try {
    return [JSON.parse(trimmed)];
  } catch (whole) {
    const lines = text.split('\n');
    const looksLikeJsonLines = lines.filter((l) => l.trim() !== '').length > 1 && lines.every((l) => l.trim() === '' || l.trimStart().startsWith('{'));
    if (!looksLikeJsonLines) throw new CollectError(syntaxMessage(whole), file, lineOfError(text, whole));
    const docs: unknown[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        docs.push(JSON.parse(line));
      } catch (e) {
        throw new CollectError(syntaxMessage(e), file, i + 1);
      }
    });
    return docs;
  }
}

function syntaxMessage(e: unknown): string {
  return `invalid JSON: ${(e as Error).message}`;
}

/** V8 reports `at position N` (or `line L column C` in newer versions); a truncated text fails at its end. */
export function lineOfError(text: string, e: unknown): number {
  const msg = (e as Error).message;
  const lc = /line (\d+) column \d+/.exec(msg);
  if (lc) return Number(lc[1]);
  const pos = /position (\d+)/.exec(msg);
  const at = pos ? Number(pos[1]) : text.length;
  let line = 1;
  for (let i = 0; i < at && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** `resourceSpans[0].scopeSpans[1].spans[3].spanId` or `$.data[0].spans[2]` → its keys and indexes. */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.replace(/^\$\.?/, '').matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

/**
 * The line of the value at `path` in JSON text that parsed: a structural error (a span without an
 * id) then points at the line a person would open. A path that goes further than the document (a
 * missing field) answers the line of the deepest part that exists.
 */
export function lineOfJsonPath(text: string, path: (string | number)[]): number {
  let i = 0;
  const ws = () => { while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\t' || text[i] === '\r')) i++; };
  const string = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const skipValue = () => {
    ws();
    if (text[i] === '"') { string(); return; }
    if (text[i] !== '{' && text[i] !== '[') { while (i < text.length && !',}]'.includes(text[i])) i++; return; }
    let depth = 0;
    do {
      if (text[i] === '"') { string(); continue; }
      if (text[i] === '{' || text[i] === '[') depth++;
      else if (text[i] === '}' || text[i] === ']') depth--;
      i++;
    } while (depth > 0 && i < text.length);
  };
  const descend = (seg: string | number): boolean => {
    ws();
    if (typeof seg === 'number') {
      if (text[i] !== '[') return false;
      i++;
      for (let k = 0; k < seg; k++) {
        skipValue();
        ws();
        if (text[i] !== ',') return false;
        i++;
      }
      ws();
      return text[i] !== ']';
    }
    if (text[i] !== '{') return false;
    i++;
    for (;;) {
      ws();
      if (text[i] !== '"') return false;
      const key = string();
      ws();
      i++; // the colon
      ws();
      if (key === seg) return true;
      skipValue();
      ws();
      if (text[i] !== ',') return false;
      i++;
    }
  };
  let reached = 0;
  for (const seg of path) {
    ws();
    const at = i;
    if (!descend(seg)) { i = at; break; }
    ws();
    reached = i;
  }
  let line = 1;
  for (let k = 0; k < reached; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}
