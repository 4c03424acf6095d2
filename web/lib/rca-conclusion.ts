/**
 * The analyst's conclusion as a note on each incident it explains, as a problem manager writes it in
 * ServiceNow's work notes: the probable cause, how much it explains, what changed on it just before, and the
 * analysis's own address, so that whoever opens one of those incidents later finds the reasoning again.
 */
export interface Conclusion {
  candidate: { name: string; kind: string };
  explains: number;
  of: number;
  /** What changed on it, each already in words (`new version 2: max_connections null → "50"`) with when. */
  changes: { summary: string; when: string }[];
  /** The analysis's path in the app (`/root-cause?incidents=…&candidate=…`). */
  analysis: string;
}

/** Changes named in a note at the most: the analysis holds the rest. */
const CHANGES_NAMED = 3;

export function conclusionNote(c: Conclusion): string {
  const changed = c.changes.slice(0, CHANGES_NAMED).map((x) => `${x.summary} (${x.when})`);
  const more = c.changes.length - changed.length;
  return [
    `Probable root cause: ${c.candidate.name} (${c.candidate.kind}), explains ${c.explains} of the ${c.of} incidents analysed together.`,
    changed.length ? `Changed on it just before: ${changed.join('; ')}${more > 0 ? `; ${more} more` : ''}.` : 'Nothing changed on it in the period looked at.',
    `Analysis: ${c.analysis}`,
  ].join('\n');
}

/** App paths a note may link to: its own pages, never another site. */
const APP_PATH = /(?<![\w/])\/(?:root-cause|incidents|changes|cis|map)(?:\/[\w.:%-]+)?(?:\?[\w=&%,.:+-]*)?/g;

/** A note's text cut into plain text and app paths, so a timeline can link the paths and keep the rest text. */
export function linkedParts(text: string): { text: string; href?: string }[] {
  const parts: { text: string; href?: string }[] = [];
  let at = 0;
  for (const m of text.matchAll(APP_PATH)) {
    // A sentence's full stop after a path is not part of it.
    const path = m[0].replace(/[.,:]+$/, '');
    if (m.index > at) parts.push({ text: text.slice(at, m.index) });
    parts.push({ text: path, href: path });
    at = m.index + path.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}
