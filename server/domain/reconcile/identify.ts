import { classDef } from '../../model/classes.ts';

export const DEFAULT_ENVIRONMENT = 'default';

/** What identification reads of an item or a reference: its class, top-level name/environment and identifiers. */
export interface IdentifiableItem {
  class: string;
  name?: string;
  environment?: string;
  identifiers?: Record<string, string>;
}

export interface IdentifierKey {
  rule: string[];
  /** Canonical text stored in the identifier index: class, rule and values joined by the unit separator (U+001F), which no identifier contains. */
  key: string;
}

function valueOf(item: IdentifiableItem, field: string): string | undefined {
  if (field === 'name') return item.name ?? item.identifiers?.name;
  if (field === 'environment') return item.environment ?? item.identifiers?.environment ?? (item.name !== undefined ? DEFAULT_ENVIRONMENT : undefined);
  return item.identifiers?.[field];
}

/**
 * Every identifier key the item carries, in its class's rule order. The first is the strongest;
 * all are indexed so that a later source knowing only a weaker identifier still finds the CI.
 */
export function identifierKeys(item: IdentifiableItem): IdentifierKey[] {
  // Computed afresh each time: ingest asks for an item's keys two to four times, and a WeakMap cache of them cost
  // twice as much as computing them again (an entry for each of a batch's ~6,000 items and relation ends, and
  // the garbage collector's work on them).
  const out: IdentifierKey[] = [];
  for (const rule of classDef(item.class).identifierRules) {
    const values: string[] = [];
    for (const field of rule) {
      const v = valueOf(item, field);
      if (v === undefined || v === '') break;
      values.push(v);
    }
    if (values.length === rule.length) out.push({ rule, key: `${item.class}\u001f${rule.join('+')}\u001f${values.join('\u001f')}` });
  }
  return out;
}

/** The first rule whose key the index knows wins (ServiceNow IRE's ordered identifier entries). */
export function matchByRules(keys: IdentifierKey[], lookup: (key: string) => string | undefined): { ciId: string; rule: string[] } | null {
  for (const k of keys) {
    const ciId = lookup(k.key);
    if (ciId !== undefined) return { ciId, rule: k.rule };
  }
  return null;
}
