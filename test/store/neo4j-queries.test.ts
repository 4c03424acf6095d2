import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cypherDir, listQueryFiles, loadQueryFile, query, queryNames, schemaQueries } from '../../server/store/neo4j/queries.ts';
import { relationTypeList } from '../../server/model/relations.ts';
import { ciClassList } from '../../server/model/classes.ts';

const neo4jDir = join(cypherDir, '..', 'server', 'store', 'neo4j');
/** `$name` parameters a statement uses (string literals removed first, so '$' inside text does not count). */
const paramsOf = (text: string) => new Set([...text.replace(/'[^']*'/g, "''").matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
const body = (text: string) => text.split('\n').filter((l) => !l.trim().startsWith('//')).join('\n');

describe('Cypher query files', () => {
  it('are exactly the queries the store knows by name, plus the schema', () => {
    expect(listQueryFiles()).toEqual([...queryNames, 'schema'].sort());
    for (const name of queryNames) expect(query(name).length).toBeGreaterThan(10);
  });

  it('each open with a header saying what it does, its parameters and what it returns', () => {
    for (const name of [...queryNames, 'schema']) {
      const f = loadQueryFile(name);
      expect(f.header.split('\n').length, name).toBeGreaterThanOrEqual(2);
      expect(f.header, name).toMatch(/Parameters:/);
      expect(f.header, name).toMatch(/Returns?:/);
    }
  });

  it('document every parameter they use in their header', () => {
    for (const name of queryNames) {
      const f = loadQueryFile(name);
      for (const p of paramsOf(body(f.text))) expect(f.header, `${name}: $${p}`).toContain(`$${p}`);
    }
  });

  it('hold one statement each (Bolt runs one per call)', () => {
    for (const name of queryNames) expect(body(query(name)).replace(/;\s*$/, ''), name).not.toContain(';');
  });

  it('contain no template placeholders: input only ever arrives as parameters', () => {
    for (const f of readdirSync(cypherDir)) {
      const text = readFileSync(join(cypherDir, f), 'utf8');
      expect(text, f).not.toMatch(/\$\{|\{\{|%s/);
    }
  });
});

describe('the schema', () => {
  const statements = schemaQueries();

  it('is idempotent: every statement is CREATE CONSTRAINT/INDEX … IF NOT EXISTS', () => {
    expect(statements.length).toBeGreaterThan(10);
    for (const s of statements) expect(s).toMatch(/^CREATE (CONSTRAINT|INDEX) \w+ IF NOT EXISTS FOR /);
  });

  it('gives every registered relation type a unique relationship id', () => {
    for (const t of relationTypeList) {
      expect(statements.some((s) => s.includes(`()-[r:${t.name}]-()`) && s.includes('r.id IS UNIQUE')), t.name).toBe(true);
    }
  });

  it('uses only Community Edition schema (no existence, key or type constraints)', () => {
    for (const s of statements) expect(s).not.toMatch(/IS NOT NULL|IS NODE KEY|IS RELATIONSHIP KEY|IS KEY|IS ::|IS TYPED/);
  });

  it('has names unique among constraints and indexes', () => {
    const names = statements.map((s) => s.split(/\s+/)[2]);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('the Neo4j adapter source', () => {
  const sources = readdirSync(neo4jDir).filter((f) => f.endsWith('.ts'));

  it('sends queries only through run.ts, by name', () => {
    for (const f of sources) {
      const text = readFileSync(join(neo4jDir, f), 'utf8');
      if (f === 'run.ts') continue;
      expect(text, f).not.toMatch(/\.run\(/);
    }
  });

  it('builds no Cypher text in TypeScript', () => {
    const cypherish = /[`'"][^`'"\n]*\b(MATCH|MERGE|UNWIND|RETURN|DETACH DELETE|CREATE \(|SET \w+\.)/;
    for (const f of sources) {
      // Code only: comments may quote Cypher to explain it.
      const code = readFileSync(join(neo4jDir, f), 'utf8').split('\n').filter((l) => !/^\s*(\/\/|\*|\/\*\*)/.test(l)).map((l) => l.replace(/\/\/.*$/, ''));
      for (const line of code) expect(line, f).not.toMatch(cypherish);
    }
  });

  it('has a Neo4j label for every CI class, safe to use as a label', () => {
    for (const c of ciClassList) expect(c.label).toMatch(/^[A-Z][A-Za-z0-9]*$/);
  });
});
