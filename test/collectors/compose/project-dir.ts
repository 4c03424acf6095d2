import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { CollectError } from '../../../collectors/types.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Writes a small project folder (a file's text, or its lines) under a temp dir removed after the file's tests. */
export function project(files: Record<string, string | string[]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-compose-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), Array.isArray(text) ? text.join('\n') + '\n' : text);
  }
  return dir;
}

/** The CollectError `fn` throws; anything else fails the test. */
export function collectError(fn: () => unknown): CollectError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CollectError) return e;
    throw e;
  }
  throw new Error('expected a CollectError');
}
