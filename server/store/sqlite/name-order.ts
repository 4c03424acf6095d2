/**
 * A list's keys, (name, id), compared as SQLite orders them: TEXT under BINARY collation compares the UTF-8 bytes,
 * which is code point order. JavaScript's `<` compares UTF-16 code units, which differs past the BMP: a surrogate
 * (U+D800-DFFF, a code point from U+10000) sorts before U+E000-FFFF there, after them in SQLite.
 */
export type NameKey = readonly [name: string, id: string];

export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** A code unit moved so that unit order is code point order: surrogates above U+E000-FFFF (which move down). */
const codePointRank = (u: number) => (u >= 0xd800 && u <= 0xdfff ? u + 0x2000 : u >= 0xe000 ? u - 0x800 : u);

export const compareNameKeys = (a: NameKey, b: NameKey): number => compareText(a[0], b[0]) || compareText(a[1], b[1]);
