import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every query the Neo4j store runs is parsed and semantically checked by the Cypher language support
 * Neo4j publishes for its editors (the linter of the VS Code extension and Neo4j Browser), as Cypher 5:
 * no Neo4j server can run on these machines, so this is the strongest offline check there is.
 * The package's ESM build uses extension-less imports that plain Node ESM cannot resolve; its CJS build
 * (the `require` export) loads fine, hence createRequire.
 */
const require = createRequire(import.meta.url);
const { lintCypherQuery, testData } = require('@neo4j-cypher/language-support') as typeof import('@neo4j-cypher/language-support');

const dir = join(import.meta.dirname, '..', '..', 'cypher');
const files = readdirSync(dir).filter((f) => f.endsWith('.cypher')).sort();

/** Parameters are declared (a server would know them at run time); functions and procedures are Neo4j's built-ins. */
function lint(text: string) {
  const parameters: Record<string, unknown> = Object.create(null);
  for (const m of text.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) parameters[m[1]] = null;
  return lintCypherQuery(text, {
    parameters, defaultLanguage: 'CYPHER 5',
    functions: testData.mockSchema.functions, procedures: testData.mockSchema.procedures,
  }, false);
}

describe('cypher/*.cypher, checked by @neo4j-cypher/language-support', () => {
  it('finds the query files', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('reports what it is given: a syntax error, an undefined variable, an unknown function', () => {
    expect(lint('MATCH (n:CI RETURN n').some((d) => d.severity === 1)).toBe(true);
    expect(lint('MATCH (n:CI) RETURN m').map((d) => d.message)).toContain('Variable `m` not defined');
    expect(lint('RETURN nosuch.fn(1)').some((d) => d.severity === 1)).toBe(true);
  });

  // ~0.3-1 s a file on a loaded 2-core machine: one test per file keeps the failure named.
  for (const file of files) {
    it(`${file}: no errors`, { timeout: 60_000 }, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const diagnostics = lint(text);
      const at = (d: (typeof diagnostics)[number]) => `${file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`;
      for (const w of diagnostics.filter((d) => d.severity !== 1)) console.warn(`cypher lint warning: ${at(w)}`);
      expect(diagnostics.filter((d) => d.severity === 1).map(at)).toEqual([]);
    });
  }
});
