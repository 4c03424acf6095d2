import type { CiRef, IngestCi, IngestRelation } from '../../server/model/ingest.ts';
import type { RelationTypeName } from '../../server/model/relations.ts';
import { CollectError } from '../types.ts';
import { parseEntityRef, refText, type EntityRef } from './entity-ref.ts';
import type { RawEntity } from './parse.ts';

/**
 * Catalog entities → CIs and declared relations. The mapping (see README.md beside this file):
 * Component → service, API → api, Resource → database/queue/cache by spec.type (else
 * cloud_resource), System → application_service, Domain → business_service, Group → team.
 * Users are people, not CIs: ignored, and an entity a User owns carries them in its `owner` field.
 */
const CLASS_BY_KIND: Record<string, string> = {
  component: 'service', api: 'api', system: 'application_service', domain: 'business_service', group: 'team',
};
const RESOURCE_CLASS: Record<string, string> = {
  database: 'database', db: 'database', queue: 'queue', topic: 'queue', 'kafka-topic': 'queue', cache: 'cache', redis: 'cache',
};
const IGNORED_KINDS = new Set(['user', 'location', 'template']);

function classOf(e: RawEntity): string | undefined {
  if (e.kind === 'resource') return RESOURCE_CLASS[String(e.spec.type ?? '').toLowerCase()] ?? 'cloud_resource';
  return CLASS_BY_KIND[e.kind];
}

/** Names outside the default namespace keep it, so that two namespaces' `search` stay two CIs. */
const ciName = (r: EntityRef) => (r.namespace === 'default' ? r.name : `${r.namespace}/${r.name}`);

interface Known { ref: EntityRef; ciClass: string }

export interface CatalogResult { cis: IngestCi[]; relations: IngestRelation[]; warnings: string[] }

export function catalogToIngest(entities: RawEntity[]): CatalogResult {
  const warnings = new Set<string>();
  const known = new Map<string, Known>();
  const users = new Set<string>();
  const cis: IngestCi[] = [];
  const usable: { e: RawEntity; self: Known }[] = [];

  for (const e of entities) {
    const ref: EntityRef = { kind: e.kind, namespace: e.namespace, name: e.name.toLowerCase() };
    if (e.kind === 'user') users.add(refText(ref));
    if (IGNORED_KINDS.has(e.kind)) continue;
    const ciClass = classOf(e);
    if (!ciClass) { warnings.add(`${e.file}:${e.line}: kind ${e.kind} is not mapped to a CI class; skipped`); continue; }
    const key = refText(ref);
    if (known.has(key)) { warnings.add(`${e.file}:${e.line}: ${key} is defined twice; the first definition is kept`); continue; }
    const self = { ref, ciClass };
    known.set(key, self);
    usable.push({ e, self });
  }

  const relations: IngestRelation[] = [];
  const seen = new Set<string>();
  const endRef = (k: Known): CiRef => ({ class: k.ciClass as IngestCi['class'], name: ciName(k.ref), identifiers: { backstageRef: refText(k.ref) } });
  const relate = (type: RelationTypeName, from: Known, to: Known, attributes: Record<string, unknown>) => {
    const key = `${refText(from.ref)}|${type}|${refText(to.ref)}`;
    if (from === to || seen.has(key)) return;
    seen.add(key);
    relations.push({ type, from: endRef(from), to: endRef(to), provenance: 'declared', attributes });
  };
  /** Resolve the refs of one spec field; dangling refs are warned about, never guessed into CIs. */
  const targets = (e: RawEntity, field: string, defaultKind: string): Known[] => {
    const raw = e.spec[field];
    if (raw === undefined || raw === null) return [];
    const list = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
      throw new CollectError(`spec.${field} must be an entity reference or a list of them`, e.file, e.lineOf(field));
    }
    return list.flatMap((text) => {
      const ref = parseEntityRef(text, { kind: defaultKind, namespace: e.namespace });
      if (!ref) throw new CollectError(`spec.${field}: ${JSON.stringify(text)} is not an entity reference`, e.file, e.lineOf(field));
      const hit = known.get(refText(ref));
      if (!hit && !users.has(refText(ref))) warnings.add(`${e.file}:${e.lineOf(field)}: spec.${field} names ${refText(ref)}, which is not in the catalog read`);
      return hit ? [hit] : [];
    });
  };

  // Providers of each API, so that a consumer can be tied to the component behind it.
  const providers = new Map<string, Known[]>();
  for (const { e, self } of usable) {
    for (const api of targets(e, 'providesApis', 'api')) {
      const list = providers.get(refText(api.ref)) ?? [];
      list.push(self);
      providers.set(refText(api.ref), list);
    }
  }

  for (const { e, self } of usable) {
    const ci: IngestCi = { class: self.ciClass as IngestCi['class'], name: ciName(self.ref), identifiers: { backstageRef: refText(self.ref) }, attributes: attributesOf(e) };
    const owner = typeof e.spec.owner === 'string' ? parseEntityRef(e.spec.owner, { kind: 'group', namespace: e.namespace }) : null;
    if (owner) ci.owner = ciName(owner);
    cis.push(ci);

    for (const team of targets(e, 'owner', 'group')) relate('OWNED_BY', self, team, { via: 'spec.owner' });
    for (const dep of targets(e, 'dependsOn', 'component')) relate('DEPENDS_ON', self, dep, { via: 'spec.dependsOn' });
    for (const parent of targets(e, 'subcomponentOf', 'component')) relate('PART_OF', self, parent, { via: 'spec.subcomponentOf' });
    for (const sys of targets(e, 'system', 'system')) relate('PART_OF', self, sys, { via: 'spec.system' });
    for (const dom of targets(e, 'domain', 'domain')) relate('PART_OF', self, dom, { via: 'spec.domain' });
    for (const parent of targets(e, 'parent', 'group')) relate('PART_OF', self, parent, { via: 'spec.parent' });
    // The API depends on whoever serves it: the provider failing takes the API down with it.
    for (const api of targets(e, 'providesApis', 'api')) relate('DEPENDS_ON', api, self, { via: 'spec.providesApis' });
    for (const api of targets(e, 'consumesApis', 'api')) {
      relate('DEPENDS_ON', self, api, { via: 'spec.consumesApis' });
      // And the consumer depends on the provider itself: the runtime edge drift compares traffic against.
      for (const provider of providers.get(refText(api.ref)) ?? []) {
        if (provider !== self) relate('DEPENDS_ON', self, provider, { via: `consumesApis ${refText(api.ref)}` });
      }
    }
  }
  return { cis, relations, warnings: [...warnings] };
}

function attributesOf(e: RawEntity): Record<string, unknown> {
  const out: Record<string, unknown> = { backstageKind: e.kind };
  for (const k of ['type', 'lifecycle'] as const) if (typeof e.spec[k] === 'string') out[k] = e.spec[k];
  for (const k of ['title', 'description'] as const) if (typeof e.metadata[k] === 'string') out[k] = e.metadata[k];
  if (Array.isArray(e.metadata.tags)) out.tags = e.metadata.tags.filter((t) => typeof t === 'string');
  return out;
}
