import { describe, expect, it } from 'vitest';
import { csvCollector } from '../../../collectors/csv/index.ts';
import { parseMapping } from '../../../collectors/csv/mapping.ts';
import { sheetToIngest } from '../../../collectors/csv/transform.ts';
import { CollectError } from '../../../collectors/types.ts';
import { expectMatchesKey, expectValidBatch } from '../answer-keys.ts';

const FIXTURES = new URL('../../fixtures/csv/', import.meta.url).pathname;
const collect = (inputs: string[], mapping = `${FIXTURES}mapping.yaml`) => csvCollector.collect({ inputs, options: { mapping }, progress: () => {} });
const endName = (r: unknown) => (r as { class: string; name: string }).class + ':' + (r as { name: string }).name;

describe('csv collector on a CMDB spreadsheet export', async () => {
  const collected = await collect([]);

  it('reads every row of the CI sheets as a CI with its mapped fields', async () => {
    expect(collected.cis.map((c) => `${c.class}:${c.name}`)).toEqual([
      'host:web-01', 'host:web-02', 'host:db-01', 'service:storefront', 'database:orders-db', 'team:web-team', 'team:data-team',
    ]);
    expect(collected.cis[2]).toEqual({
      class: 'host', name: 'db-01', environment: 'prod',
      identifiers: { fqdn: 'db-01.shop.example.com', ip: '10.0.2.21' },
      attributes: { os: 'Red Hat Enterprise Linux 9', location: 'fra1' },
    });
    expect(collected.cis[4]).toMatchObject({ owner: 'data-team', tier: 1, attributes: { description: 'PostgreSQL 16\nprimary and replica' } });
    await expectValidBatch('csv', collected);
  });

  it('reads relation columns (several targets in one cell) and relation sheets', () => {
    const expected = new Set([
      'service:storefront RUNS_ON host:web-01', 'service:storefront RUNS_ON host:web-02', 'database:orders-db RUNS_ON host:db-01',
      'service:storefront OWNED_BY team:web-team', 'database:orders-db OWNED_BY team:data-team',
      'service:storefront DEPENDS_ON database:orders-db',
    ]);
    expectMatchesKey('csv relations', expected, collected.relations.map((r) => `${endName(r.from)} ${r.type} ${endName(r.to)}`));
  });
});

describe('csv collector on malformed input', () => {
  const sheet = parseMapping('sheets:\n  - ci: { class: host, name: hostname, attributes: { os: os } }\n', 'm.yaml').sheets[0];

  it('names the CSV line of a row it cannot map', () => {
    const text = 'hostname,os\nweb-01,linux\n,windows\n';
    expect(() => sheetToIngest(sheet, text, 'h.csv')).toThrow(CollectError);
    expect(() => sheetToIngest(sheet, text, 'h.csv')).toThrow('h.csv:3: column hostname is empty');
  });

  it('names the line of an unterminated quote and of a row with too many fields', () => {
    expect(() => sheetToIngest(sheet, 'hostname,os\nweb-01,"linux\n', 'q.csv')).toThrow(/^q\.csv:2: invalid CSV: Quote Not Closed/);
    expect(() => sheetToIngest(sheet, 'hostname,os\na,b\nc,d,e\n', 'r.csv')).toThrow(/^r\.csv:3: invalid CSV/);
  });

  it('rejects a mapping column the header lacks before reading any row', () => {
    expect(() => sheetToIngest(sheet, 'name,os\nweb-01,linux\n', 'c.csv')).toThrow('c.csv:1: the mapping names columns the header lacks: hostname (header: name, os)');
  });

  it('names the mapping line of an unknown class or an unknown key', () => {
    expect(() => parseMapping('sheets:\n  - ci:\n      class: server\n      name: n\n', 'm.yaml')).toThrow(/^m\.yaml:3: mapping sheets\.0\.ci\.class: Invalid option/);
    expect(() => parseMapping('sheets:\n  - ci: { class: host, name: n }\n    colour: red\n', 'm.yaml')).toThrow(/^m\.yaml:2: mapping sheets\.0: Unrecognized key: "colour"/);
  });

  it('reports an unknown relation type in a row with its line', () => {
    const rel = parseMapping('sheets:\n  - relation: { typeColumn: t, from: { class: service, name: a }, to: { class: service, name: b } }\n', 'm.yaml').sheets[0];
    expect(() => sheetToIngest(rel, 'a,t,b\nx,DEPENDS_ON,y\nx,CALLS,z\n', 'd.csv')).toThrow('d.csv:3: column t: unknown relation type "CALLS"');
  });
});
