import { z } from 'zod';

/**
 * Names, environments, owners, scopes and identifiers are matched and compared as text: a control character
 * (U+0000-U+001F, U+007F-U+009F) could make different CIs share an identifier key, and an unpaired UTF-16
 * surrogate cannot be stored as UTF-8 (it would silently become U+FFFD). Both are refused, naming the field.
 */
const UNCLEAN = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const isCleanText = (s: string): boolean => !UNCLEAN.test(s);
export const cleanText = (min: number, max: number) =>
  z.string().min(min).max(max).refine(isCleanText, 'must not contain control characters or unpaired surrogates');

/**
 * Characters that change how a name reads without being seen: bidirectional embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069: 'invoice\u202Egnp.exe' shows as 'invoiceexe.png'), marks (U+200E, U+200F, U+061C),
 * zero-width and invisible characters (U+200B, U+2060-U+2064, U+FEFF, U+00AD, U+034F, U+180E, Hangul fillers,
 * Khmer's invisible vowels, U+206A-U+206F), line and paragraph separators, interlinear annotations, and tag
 * characters (U+E0000-U+E007F: invisible ASCII an agent reading the name over MCP would read as instructions).
 * Two names a person cannot tell apart would be two CIs, approvers or tokens; a name that reads backwards hides
 * what it is. The joiners U+200C and U+200D are refused only where they join nothing: between letters (Persian,
 * Indic scripts) and inside an emoji sequence they are part of the text, as the tags of a subdivision flag are.
 */
const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\u{e0000}-\u{e007f}]|(?<![\p{L}\p{M}\p{Extended_Pictographic}\p{Emoji_Modifier}\ufe0f])[\u200c\u200d]|[\u200c\u200d](?![\p{L}\p{M}\p{Extended_Pictographic}])/u;
/** A subdivision flag (England's: U+1F3F4, tag letters, U+E007F): its tags are the flag's. */
const TAG_FLAG = /\u{1f3f4}[\u{e0061}-\u{e007a}]{2,6}\u{e007f}/gu;

/** The first invisible or bidirectional control character in `s` (its code point and index), or null. */
export function invisibleIn(s: string): { codePoint: string; index: number } | null {
  // Fast answer for the usual name: nothing outside printable ASCII.
  if (!/[^\x20-\x7e]/.test(s)) return null;
  // Flags are blanked to the same length, so an index found is an index in `s`.
  const m = INVISIBLE.exec(s.replace(TAG_FLAG, (f) => ' '.repeat(f.length)));
  if (!m) return null;
  return { codePoint: `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, index: m.index };
}
export const isVisibleText = (s: string): boolean => invisibleIn(s) === null;

/** A subdivision flag (kept whole), or a character `nameText` refuses. */
const REFUSED_OR_FLAG = new RegExp(`(${TAG_FLAG.source})|[\\u0000-\\u001f\\u007f-\\u009f]|${INVISIBLE.source}`, 'gu');

/**
 * `s` with every character `nameText` refuses written out (`\u202E`, `\u{E0041}`), so that a message about a refused
 * name shows what is in it instead of hiding it again.
 */
export function spelledOut(s: string): string {
  if (!/[^\x20-\x7e]/.test(s)) return s;
  return s.replace(REFUSED_OR_FLAG, (m, flag: string | undefined) => {
    if (flag) return m;
    const cp = m.codePointAt(0)!;
    return cp > 0xffff ? `\\u{${cp.toString(16).toUpperCase()}}` : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/**
 * What people tell apart by reading it: a CI's name, environment and owner, a token's name, a team, a change's,
 * incident's or window's title. Clean text with no invisible or bidirectional control character.
 * Only input is checked: names already stored are shown as they are (the web app isolates each name's direction).
 */
export const nameText = (min: number, max: number) => cleanText(min, max).superRefine((s, ctx) => {
  const found = invisibleIn(s);
  if (found) ctx.addIssue({ code: 'custom', message: `must not contain invisible or bidirectional control characters (${found.codePoint} at index ${found.index})` });
});
