/**
 * How deep a JSON body may nest: far beyond any body this API takes (a batch's attributes nest at most 6 levels),
 * far below what a recursive walk of the parsed value can take on Node's stack.
 */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22, BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d, OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d;

/**
 * Whether JSON text (UTF-8 bytes) nests its objects and arrays at most `max` deep, read from its bytes without
 * parsing it (brackets inside strings do not count). Malformed text is left to the parser to explain.
 */
export function jsonDepthWithin(b: Uint8Array, max: number): boolean {
  const n = b.length;
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === QUOTE) {
      for (i++; i < n; i++) {
        const d = b[i];
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++;
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > max) return false;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
  return true;
}
