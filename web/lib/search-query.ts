import { ciClassList, ciClasses, type CiClassDef } from '../../server/model/classes.ts';

/** What the CI search box sends: words against names, `class:` and `owner:` as filters. */
export interface SearchQuery { q?: string; class?: string; owner?: string }

/** Parsed search text, with the class word as typed when it named no class (so the box can say so). */
export interface ParsedSearch { query: SearchQuery; unknownClass?: string }

// Short words people type for classes (CMDB and Kubernetes habits); anything else is matched against the registry's names and titles.
const CLASS_ALIASES: ReadonlyMap<string, string> = new Map([
  ['db', 'database'], ['lb', 'load_balancer'], ['dns', 'dns_name'], ['k8s', 'k8s_workload'], ['workload', 'k8s_workload'],
  ['deployment', 'k8s_workload'], ['namespace', 'k8s_namespace'], ['cluster', 'k8s_cluster'], ['server', 'host'],
  ['topic', 'queue'], ['svc', 'service'], ['microservice', 'service'], ['app', 'application'],
]);

const fold = (s: string) => s.trim().toLowerCase().replace(/[\s-]+/g, '_');

/** The class a word names (`database`, `Databases`, `db`, `load balancer`), or undefined. */
export function classForWord(word: string): CiClassDef | undefined {
  const w = fold(word);
  if (!w) return undefined;
  const direct = ciClasses.get(w) ?? ciClasses.get(CLASS_ALIASES.get(w) ?? '');
  if (direct) return direct;
  return ciClassList.find((c) => fold(c.title) === w || fold(c.plural) === w || c.label.toLowerCase() === w);
}

/** Splits the box's text into name words and `class:`/`owner:` filters; a class word is resolved loosely. */
export function parseSearch(text: string): ParsedSearch {
  const query: SearchQuery = {};
  const rest: string[] = [];
  let unknownClass: string | undefined;
  for (const word of text.trim().split(/\s+/)) {
    const m = /^(class|owner):(.+)$/i.exec(word);
    if (!m) { if (word) rest.push(word); continue; }
    if (m[1].toLowerCase() === 'owner') { query.owner = m[2]; continue; }
    const c = classForWord(m[2]);
    if (c) query.class = c.name; else unknownClass = m[2];
  }
  if (rest.length) query.q = rest.join(' ');
  return unknownClass === undefined ? { query } : { query, unknownClass };
}

/** True when the search has something to send. */
export const hasTerms = (q: SearchQuery) => Boolean(q.q || q.class || q.owner);

/**
 * What to tell a person whose search found nothing: whether their words name a class they could filter by
 * instead (typing "database" finds CIs named like it, not the databases), else how to search by class or owner.
 */
export function noMatchAdvice(parsed: ParsedSearch): { text: string; suggestion?: { label: string; text: string } } {
  if (parsed.unknownClass !== undefined) {
    return { text: `No class “${parsed.unknownClass}”. Classes: ${ciClassList.map((c) => c.name).join(', ')}.` };
  }
  const { q, class: cls, owner } = parsed.query;
  const asClass = q ? classForWord(q) : undefined;
  if (asClass && !cls) {
    const text = [`class:${asClass.name}`, owner ? `owner:${owner}` : ''].filter(Boolean).join(' ');
    return { text: `No CI matches “${q}”.`, suggestion: { label: `All ${asClass.plural.toLowerCase()} (${text})`, text } };
  }
  const filters = [cls ? `class ${cls}` : '', owner ? `owner “${owner}”` : ''].filter(Boolean).join(' and ');
  // owner: is an exact team name, while plain words also match inside owners, names and identifiers.
  const ownerHint = owner ? ` owner: takes the exact team name; type “${owner}” without owner: to match part of it.` : '';
  if (q && filters) return { text: `No CI matches “${q}” with ${filters}.${ownerHint}` };
  if (q) return { text: `No CI matches “${q}” in its name, identifiers or owner. Filter by class or owner too: class:database, owner:payments.` };
  return { text: `No CI with ${filters}.${ownerHint}` };
}
