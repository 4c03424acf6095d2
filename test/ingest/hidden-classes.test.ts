import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/**
 * A batch's transaction object and the run record its write gets keep one hidden class from batch to batch, full
 * collections between them included. Made by a spread with properties after it, each got a new one once V8 had run a
 * full GC (V8 11.3), and the batch function's and the write's optimised code was thrown away on it, to be compiled
 * again (docs/design.md §5). V8's own check (%HaveSameMap) needs a Node of its own with natives syntax.
 */
describe('objects a batch makes for its write', () => {
  it('keep one hidden class from batch to batch, across full collections', () => {
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'fixtures', 'hidden-classes.ts')], {
      cwd: root, encoding: 'utf8', timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({ batches: 12, tx: true, run: true });
  }, 90_000); // the child's own bound (60 s) comes first: a slow machine gets its stderr, not vitest's timeout
});
