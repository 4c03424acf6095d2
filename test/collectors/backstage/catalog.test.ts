import { describe, expect, it } from 'vitest';
import { backstageCollector } from '../../../collectors/backstage/index.ts';
import { parseCatalogText } from '../../../collectors/backstage/parse.ts';
import { catalogToIngest } from '../../../collectors/backstage/transform.ts';
import { CollectError, type Collected } from '../../../collectors/types.ts';
import { DATA, expectMatchesKey, expectValidBatch, readKey } from '../answer-keys.ts';

const CATALOG = `${DATA}/backstage-catalog`;
const collect = (inputs: string[]) => backstageCollector.collect({ inputs, options: {}, progress: () => {} });
const backstageRef = (r: unknown) => (r as { identifiers: { backstageRef: string } }).identifiers.backstageRef;
/** `kind:default/name` → `kind:name`, the answer keys' spelling. */
const short = (r: unknown) => backstageRef(r).replace(':default/', ':');
const edges = (c: Collected, via: string, reverse = false) => c.relations
  .filter((r) => r.attributes?.via === via)
  .map((r) => (reverse ? `${short(r.to)} -> ${short(r.from)}` : `${short(r.from)} -> ${short(r.to)}`));

describe('backstage collector on the example catalog', async () => {
  const catalog = await collect([CATALOG]);

  it('reads every entity but users and locations, once, as CIs of the mapped classes', async () => {
    const byClass: Record<string, number> = {};
    for (const ci of catalog.cis) byClass[ci.class] = (byClass[ci.class] ?? 0) + 1;
    expect(byClass).toEqual({ service: 13, api: 7, database: 1, application_service: 3, business_service: 2, team: 8 });
    await expectValidBatch('backstage', catalog);
  });

  it.each([
    ['dependsOn', 'spec.dependsOn', false],
    ['consumesApis', 'spec.consumesApis', false],
    ['providesApis', 'spec.providesApis', true],
    ['subcomponentOf', 'spec.subcomponentOf', false],
    ['system', 'spec.system', false],
    ['domain', 'spec.domain', false],
    ['parent', 'spec.parent', false],
  ] as const)('EXPECTED_EDGES_%s matches the relations read from %s', (key, via, reverse) => {
    expectMatchesKey(`backstage ${key}`, readKey(`${CATALOG}/EXPECTED_EDGES_${key}.txt`), edges(catalog, via, reverse));
  });

  it('stores providesApis as "the API DEPENDS_ON its provider", so a provider failing takes its API down', () => {
    const rel = catalog.relations.find((r) => r.attributes?.via === 'spec.providesApis' && short(r.from) === 'api:wayback-archive');
    expect(rel).toMatchObject({ type: 'DEPENDS_ON', to: { class: 'service', name: 'wayback-archive' } });
  });

  it('EXPECTED_EDGES (runtime): component and resource DEPENDS_ON edges, the consumer tied to the provider behind the API', () => {
    const runtime = catalog.relations
      .filter((r) => r.type === 'DEPENDS_ON' && !short(r.from).startsWith('api:') && !short(r.to).startsWith('api:'))
      .map((r) => `${short(r.from)} -> ${short(r.to)}`);
    expectMatchesKey('backstage runtime', readKey(`${CATALOG}/EXPECTED_EDGES.txt`), runtime);
  });

  it('EXPECTED_EDGES_memberOf: user -> group memberships make no relation, since the issue has Users ignored', () => {
    const key = readKey(`${CATALOG}/EXPECTED_EDGES_memberOf.txt`);
    expect(key.size).toBe(16);
    expect([...key].every((l) => l.startsWith('user:'))).toBe(true);
    expect(catalog.relations.filter((r) => short(r.from).startsWith('user:') || short(r.to).startsWith('user:'))).toEqual([]);
  });

  it('EXPECTED_EDGES_owner: group owners are OWNED_BY edges; user owners are the CI owner field (users are not CIs)', () => {
    const key = readKey(`${CATALOG}/EXPECTED_EDGES_owner.txt`);
    const groupOwned = new Set([...key].filter((l) => l.includes('-> group:')));
    expectMatchesKey('backstage owner (groups)', groupOwned, edges(catalog, 'spec.owner'));
    const userOwned = [...key].filter((l) => l.includes('-> user:')).map((l) => l.replace('-> user:', '-> '));
    const ownerFields = catalog.cis.filter((c) => userOwned.some((l) => l.startsWith(`${c.identifiers!.backstageRef.replace(':default/', ':')} ->`)))
      .map((c) => `${c.identifiers!.backstageRef.replace(':default/', ':')} -> ${c.owner}`);
    expect(ownerFields.sort()).toEqual(userOwned.sort());
  });

  it('makes every relation end a CI of the same batch, and warns about nothing on a catalog whose refs all resolve', () => {
    const refs = new Set(catalog.cis.map((c) => c.identifiers!.backstageRef));
    for (const r of catalog.relations) for (const end of [r.from, r.to]) expect(refs).toContain(backstageRef(end));
    expect(catalog.warnings).toEqual([]);
  });

  it('follows Location targets from one file', async () => {
    const fromLocation = await collect([`${CATALOG}/all-components.yaml`]);
    expect(fromLocation.cis.filter((c) => c.class === 'service')).toHaveLength(13);
  });
});

describe('backstage transform on malformed catalogs', () => {
  it('names file and line of broken YAML', () => {
    expect(() => parseCatalogText('apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: [a\n', 'c.yaml')).toThrow(/^c\.yaml:\d+: invalid YAML/);
  });

  it('rejects a document that is not a Backstage entity, naming its line', () => {
    const text = 'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n';
    expect(() => parseCatalogText(text, 'k.yaml')).toThrow('k.yaml:5: not a Backstage entity: apiVersion "apps/v1"');
  });

  it('rejects a relation field of the wrong shape, naming its line', () => {
    const entities = parseCatalogText('apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\nspec:\n  owner: team-a\n  dependsOn:\n    key: value\n', 'd.yaml');
    expect(() => catalogToIngest(entities)).toThrow(CollectError);
    expect(() => catalogToIngest(entities)).toThrow(/^d\.yaml:8: spec\.dependsOn must be an entity reference/);
  });

  it('warns about a reference to an entity it did not read, and makes no edge for it', () => {
    const entities = parseCatalogText('apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  namespace: shop\nspec:\n  dependsOn: [resource:db]\n', 'w.yaml');
    const out = catalogToIngest(entities);
    expect(out.relations).toEqual([]);
    expect(out.warnings).toEqual(['w.yaml:7: spec.dependsOn names resource:shop/db, which is not in the catalog read']);
    expect(out.cis[0]).toMatchObject({ name: 'shop/a', identifiers: { backstageRef: 'component:shop/a' } });
  });
});
