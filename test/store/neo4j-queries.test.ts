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

/** The clauses after the last RETURN (ORDER BY, SKIP, LIMIT): what the caller receives the rows in. */
const tail = (text: string) => { const b = body(text); return b.slice(b.lastIndexOf('RETURN')); };
/** Top-level conjuncts of each WHERE (split on AND outside parentheses), whitespace collapsed. */
function whereConjuncts(text: string): string[] {
  const out: string[] = [];
  for (const m of body(text).matchAll(/\bWHERE\b([\s\S]*?)(?=\n\s*(RETURN|WITH|MATCH|OPTIONAL|ORDER|CALL|UNWIND|SET|MERGE|CREATE|DELETE|DETACH)\b|$)/g)) {
    let depth = 0, start = 0;
    const w = m[1];
    for (let i = 0; i < w.length; i++) {
      if (w[i] === '(') depth++;
      else if (w[i] === ')') depth--;
      else if (depth === 0 && /\sAND\s/.test(w.slice(i - 1, i + 4)) && w.slice(i, i + 3) === 'AND') { out.push(w.slice(start, i)); start = i + 3; }
    }
    out.push(w.slice(start));
  }
  return out.map((c) => c.replace(/\s+/g, ' ').trim()).filter(Boolean);
}
/** Queries that continue from a cursor the caller takes from the last row they returned. */
const pagedByCursor = queryNames.filter((n) => /\bLIMIT\b/.test(body(query(n))) && ([...paramsOf(body(query(n)))].some((p) => /^after/.test(p)) || n === 'events-since'));
/** LIMITs that only cap a bounded read (a map level, a subgraph): no cursor follows, the caller is told it was cut. */
const cappedOnly = new Set(['relations-among', 'relations-among-as-of', 'relations-as-of', 'relations-of-limited', 'purge-idempotency',
  // Any of a hub's live relations, a part of them at a time: the sweep retires them and asks again.
  'relations-touching-limited']);

describe('paged and bounded queries', () => {
  it('knows which queries page by a cursor', () => {
    expect(pagedByCursor.sort()).toEqual(['events-since', 'list-cis', 'topology-cis', 'topology-cis-as-of', 'topology-relations', 'topology-relations-as-of']);
  });

  it('order every cursor-paged query explicitly, last (Cypher promises no order otherwise, and the cursor is the last row)', () => {
    for (const name of pagedByCursor) expect(tail(query(name)), name).toMatch(/\bORDER BY\b/);
  });

  it('order every other LIMIT too, unless it only caps a bounded read', () => {
    for (const name of queryNames) {
      if (!/\bLIMIT\b/.test(body(query(name))) || cappedOnly.has(name) || pagedByCursor.includes(name)) continue;
      expect(tail(query(name)), name).toMatch(/\bORDER BY\b/);
    }
  });

  it('seek the cursor: the first ordered property has a plain range predicate on its own (index seek and index order)', () => {
    for (const name of pagedByCursor) {
      const text = body(query(name));
      const key = /ORDER BY\s+([a-z]+\.[A-Za-z]+)/.exec(text)![1];
      const seek = new RegExp(`^${key.replace('.', '\\.')} >=? \\$[A-Za-z]+$`);
      expect(whereConjuncts(text).some((c) => seek.test(c)), `${name}: ${key} >(=) $cursor as a conjunct of its own`).toBe(true);
    }
  });

  it('never hide the cursor comparison behind an optional filter ($p IS NULL OR …), which no index can serve', () => {
    for (const name of pagedByCursor) {
      const text = body(query(name));
      const key = /ORDER BY\s+([a-z]+\.[A-Za-z]+)/.exec(text)![1];
      const compared = new RegExp(`${key.replace('.', '\\.')} [<>]=? \\$`);
      for (const c of whereConjuncts(text)) if (/IS NULL OR/.test(c)) expect(c, name).not.toMatch(compared);
    }
  });

  it('never find a maximum by sorting a whole label (latest-seq reads the counter)', () => {
    for (const name of queryNames) expect(body(query(name)), name).not.toMatch(/ORDER BY [^\n]* DESC\s+LIMIT 1\b/);
    expect(body(query('latest-seq'))).toMatch(/Counter \{name: 'events'\}/);
  });

  it('read each CI once however often its id is in $ids, as SQLite\'s IN', () => {
    for (const name of ['get-cis', 'get-cis-as-of', 'ci-status', 'load-cis'] as const) {
      expect(body(query(name)), name).toMatch(/UNWIND \$ids AS id\s+WITH DISTINCT id\s+MATCH/);
    }
  });

  it('create what the plan creates and match what it says exists (MERGE would invent a CI an update expected)', () => {
    expect(body(query('create-cis'))).toMatch(/\bCREATE \(c:CI\)/);
    expect(body(query('create-relations'))).toMatch(/\bCREATE \(a\)-\[r:\$\(row\.type\)\]->\(b\)/);
    for (const name of ['update-cis', 'update-relations'] as const) {
      expect(body(query(name)), name).not.toMatch(/\bMERGE\b|\bCREATE\b/);
      expect(tail(query(name)), name).toMatch(/count\(\w+\) AS written/);
    }
    expect(body(query('import-events'))).not.toMatch(/\bMERGE\b/);
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
