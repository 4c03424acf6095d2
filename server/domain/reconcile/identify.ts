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
  // Ingest computes a batch's keys once (batchKeys) and hands them along; a WeakMap cache of them cost twice as
  // much as computing them again (an entry for each of a batch's ~6,000 items and relation ends, and the garbage
  // collector's work on them). Each rule's prefix is made once per class, and values are appended to it without an
  // array: ~half the cost per call.
  const out: IdentifierKey[] = [];
  for (const { rule, prefix } of rulesOf(item.class)) {
    let key = prefix;
    let i = 0;
    for (; i < rule.length; i++) {
      const v = valueOf(item, rule[i]);
      if (v === undefined || v === '') break;
      key = i === 0 ? key + v : key + '\u001f' + v;
    }
    if (i === rule.length) out.push({ rule, key });
  }
  return out;
}

/**
 * Every item's and every relation end's identifier keys, computed once per batch and handed to each step that reads
 * them (the store lookup, re-sighting, CI planning, reference resolution): each used to compute them again, two to
 * three times per item, ~6,000 lists per 1,000-CI batch. An end given by id has none (null).
 */
export interface BatchKeys {
  cis: readonly IdentifierKey[][];
  refs: readonly { from: IdentifierKey[] | null; to: IdentifierKey[] | null }[];
}

export function batchKeys(batch: { cis: readonly IdentifiableItem[]; relations: readonly { from: IdentifiableItem | { id: string }; to: IdentifiableItem | { id: string } }[] }): BatchKeys {
  const refKeys = (ref: IdentifiableItem | { id: string }) => ('id' in ref ? null : identifierKeys(ref));
  return { cis: batch.cis.map(identifierKeys), refs: batch.relations.map((r) => ({ from: refKeys(r.from), to: refKeys(r.to) })) };
}

/** A class's identifier rules, each with the start of its keys: class and rule joined by the unit separator. */
const rulePrefixes = new Map<string, { rule: string[]; prefix: string }[]>();
function rulesOf(className: string): { rule: string[]; prefix: string }[] {
  let rules = rulePrefixes.get(className);
  if (!rules) {
    rules = classDef(className).identifierRules.map((rule) => ({ rule, prefix: `${className}\u001f${rule.join('+')}\u001f` }));
    rulePrefixes.set(className, rules);
  }
  return rules;
}

/** The first rule whose key the index knows wins (ServiceNow IRE's ordered identifier entries). */
export function matchByRules(keys: IdentifierKey[], lookup: (key: string) => string | undefined): { ciId: string; rule: string[] } | null {
  for (const k of keys) {
    const ciId = lookup(k.key);
    if (ciId !== undefined) return { ciId, rule: k.rule };
  }
  return null;
}
