/**
 * A records list's free-text filter, as a search box is used: every word of the query must appear
 * (case- and accent-insensitively) in at least one of the record's texts; absent texts are skipped.
 */
export function matchesWords(query: string, texts: readonly (string | null | undefined)[]): boolean {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const hay = texts.filter((t): t is string => typeof t === 'string').map(fold).join('\n');
  return words.every((w) => hay.includes(w));
}

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
