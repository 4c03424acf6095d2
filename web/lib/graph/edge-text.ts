import { relationTypes } from '../../../server/model/relations.ts';
import type { GraphEdge } from '../types.ts';

/**
 * What an edge says in words, for its tooltip and the list mode: the relation read from source to
 * target, how it is known (declared by a manifest or catalog, observed in traffic, entered by hand),
 * its state from its last sighting, and its redundancy group.
 */
export interface EdgeText { sentence: string; details: string[] }

const STATE_TEXT: Record<GraphEdge['state'], string> = {
  active: 'active: seen in traffic recently',
  idle: 'idle: not seen in traffic for a while',
  inactive: 'inactive: not seen in traffic for a long time',
  declared: 'declared only: never seen in traffic',
};

function ago(iso: string, now: number): string {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 90) return `${Math.round(s)} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

/** Explicit direction controls, or letters written right to left (Hebrew, Arabic, Syriac, Thaana, N'Ko...). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/;

/**
 * A name as a part of a sentence, its direction isolated (U+2068 first strong isolate ... U+2069 pop): a name ending
 * in a right-to-left override (stored before the API refused it) reversed the rest of the sentence ('invoice\u202Egnp.exe
 * depends on orders' read 'invoice...sredro no sdneped exe.png'), and a right-to-left name can pull the words
 * beside it. The isolate ends whatever the name opened. Names in left-to-right text alone are left as they are.
 */
export const isolated = (name: string): string => (BIDI.test(name) ? `\u2068${name}\u2069` : name);

export function edgeText(e: GraphEdge, fromRaw: string, toRaw: string, now = Date.now()): EdgeText {
  const fromName = isolated(fromRaw), toName = isolated(toRaw);
  const title = relationTypes.get(e.type)?.title ?? e.type.toLowerCase().replace(/_/g, ' ');
  const details = [
    e.provenance.length ? e.provenance.join(' and ') : 'no active source',
    STATE_TEXT[e.state],
  ];
  if (e.observed) details.push(`last seen ${ago(e.observed.lastSeen, now)}, ${e.observed.calls.toLocaleString('en')} calls, ${e.observed.errors.toLocaleString('en')} errors`);
  if (e.redundancy) details.push(e.redundancy.minUp === 0 || e.redundancy.minUp === '0%'
    ? `optional (${e.redundancy.group}): without it ${fromName} is degraded, not down`
    : `redundancy group ${e.redundancy.group}: needs ${e.redundancy.minUp} up`);
  if (e.note) details.push(e.note);
  return { sentence: `${fromName} ${title} ${toName}`, details };
}
