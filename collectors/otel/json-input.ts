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
