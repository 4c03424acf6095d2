import { MAX_JSON_DEPTH } from './json-depth.ts';

/**
 * The top-level members of a JSON object body without parsing their values: each member's name and the byte range
 * of its value. The ingest route reads a batch's small header members and digests the bytes of its content members
 * (a collector re-sends the same content run after run) instead of parsing half a megabyte it has validated before.
 *
 * Only the structure between values is checked here (braces, colons, commas, whitespace, one object and nothing
 * after it); a value's own bytes are delimited, not validated: callers parse the values they use, or recognise them
 * byte for byte as values parsed and validated before. Null for anything else: not an object, a name with an
 * escape or a repeated name (JSON.parse would keep the last), unbalanced brackets, nesting deeper than MAX_JSON_DEPTH.
 */
export type JsonMembers = Map<string, [start: number, end: number]>;

const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a, COMMA = 0x2c;
const OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d, OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length && isSpace(b[i])) i++;
  return i;
}

/** The index after the string starting at `i` (its opening quote), or -1. */
function skipString(b: Uint8Array, i: number): number {
  const n = b.length;
  i++;
  while (i < n) {
    const c = b[i++];
    if (c === QUOTE) return i;
    if (c === BACKSLASH) i++;
  }
  return -1;
}

/**
 * The index after the value starting at `i`, or -1: strings and nested brackets are skipped whole. -1 too for a
 * value nested deeper than the body may be (json-depth.ts; the body's own object is a level), so that members found
 * also say the body's depth was checked.
 */
function skipValue(b: Uint8Array, i: number): number {
  const n = b.length;
  const first = b[i];
  if (first === QUOTE) return skipString(b, i);
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    // A literal or a number: up to the next delimiter.
    while (i < n && b[i] !== COMMA && b[i] !== CLOSE_OBJECT && !isSpace(b[i])) i++;
    return i;
  }
  let depth = 0;
  while (i < n) {
    const c = b[i++];
    if (c === QUOTE) {
      // Inlined skipString: most of a body's bytes are in its strings.
      while (i < n) {
        const d = b[i++];
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++;
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth >= MAX_JSON_DEPTH) return -1;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (--depth === 0) return i;
    }
  }
  return -1;
}

export function jsonMembers(b: Uint8Array): JsonMembers | null {
  let i = skipSpace(b, 0);
  if (b[i] !== OPEN_OBJECT) return null;
  const out: JsonMembers = new Map();
  i = skipSpace(b, i + 1);
  if (b[i] === CLOSE_OBJECT) return skipSpace(b, i + 1) === b.length ? out : null;
  for (;;) {
    if (b[i] !== QUOTE) return null;
    const nameEnd = skipString(b, i);
    if (nameEnd < 0) return null;
    const name = Buffer.from(b.buffer, b.byteOffset + i + 1, nameEnd - i - 2).toString('latin1');
    if (name.includes('\\') || out.has(name)) return null;
    i = skipSpace(b, nameEnd);
    if (b[i] !== COLON) return null;
    i = skipSpace(b, i + 1);
    if (i >= b.length) return null;
    const end = skipValue(b, i);
    if (end < 0 || end === i) return null;
    out.set(name, [i, end]);
    i = skipSpace(b, end);
    if (b[i] === COMMA) { i = skipSpace(b, i + 1); continue; }
    if (b[i] === CLOSE_OBJECT) return skipSpace(b, i + 1) === b.length ? out : null;
    return null;
  }
}

/**
 * How many elements the array at `range` (a member's value, from jsonMembers) holds, counted from its bytes without
 * parsing them; `stopAfter`: once past it, the count so far. Null when the value is not an array. A receiver refuses a
 * delivery of too many items so, before JSON.parse builds a 15 MB body it would refuse anyway (~150 ms of the loop).
 */
export function arrayLength(b: Uint8Array, range: [number, number], stopAfter = Infinity): number | null {
  let [i] = range;
  const end = range[1];
  if (b[i] !== OPEN_ARRAY) return null;
  i = skipSpace(b, i + 1);
  if (b[i] === CLOSE_ARRAY) return 0;
  let count = 1;
  let depth = 0;
  while (i < end) {
    const c = b[i++];
    if (c === QUOTE) {
      i = skipString(b, i - 1);
      if (i < 0) return null;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) { if (--depth < 0) return count; }
    else if (c === COMMA && depth === 0 && ++count > stopAfter) return count;
  }
  return count;
}

/**
 * `arrayLength` of the top-level member `name` of an object body, walking the body only up to where the count is
 * known (or past `stopAfter`): the members before it are skipped, none after it is read. Null when the body is not an
 * object whose member `name` is an array (the parse that follows explains what is wrong).
 */
export function memberArrayLength(b: Uint8Array, name: string, stopAfter = Infinity): number | null {
  let i = skipSpace(b, 0);
  if (b[i] !== OPEN_OBJECT) return null;
  i = skipSpace(b, i + 1);
  while (i < b.length && b[i] === QUOTE) {
    const nameEnd = skipString(b, i);
    if (nameEnd < 0) return null;
    const key = Buffer.from(b.buffer, b.byteOffset + i + 1, nameEnd - i - 2).toString('latin1');
    i = skipSpace(b, nameEnd);
    if (b[i] !== COLON) return null;
    i = skipSpace(b, i + 1);
    if (key === name) return arrayLength(b, [i, b.length], stopAfter);
    const end = skipValue(b, i);
    if (end < 0 || end === i) return null;
    i = skipSpace(b, end);
    if (b[i] !== COMMA) return null;
    i = skipSpace(b, i + 1);
  }
  return null;
}
