import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(p);
    return /\.(ts|svelte)$/.test(name) ? [p] : [];
  });
}
/** Every module a file imports, as a path from the repository's root. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)].map((m) => relative(root, join(file, '..', m[1])));
}

/** The dependency rules of the design (issue 10's design step). */
describe('module boundaries', () => {
  it('the server imports no collector: span folding shared with the otel collector lives in common/', () => {
    const offenders = sourceFiles(join(root, 'server')).flatMap((f) => importsOf(f).filter((i) => i.startsWith('collectors/')).map((i) => `${relative(root, f)} -> ${i}`));
    // The demo loader runs the compose collector on a real file, as a user would: the one allowed use.
    expect(offenders.filter((o) => !o.startsWith('server/demo/load-demo.ts -> collectors/compose/'))).toEqual([]);
  });

  it('the web app imports nothing of the server but server/model', () => {
    const offenders = sourceFiles(join(root, 'web')).flatMap((f) => importsOf(f).filter((i) => i.startsWith('server/') && !i.startsWith('server/model/')).map((i) => `${relative(root, f)} -> ${i}`));
    expect(offenders).toEqual([]);
  });
});
