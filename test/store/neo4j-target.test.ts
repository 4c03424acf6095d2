import { describe, it, expect } from 'vitest';
import { findNeo4jTarget } from './neo4j-target.ts';

const never = () => new Promise<never>(() => {});
const after = <T>(ms: number, fn: () => T) => new Promise<T>((resolve, reject) => setTimeout(() => { try { resolve(fn()); } catch (e) { reject(e); } }, ms));

describe('finding a Neo4j for the store tests', () => {
  it('takes NEO4J_URI and friends without probing anything', async () => {
    const t = await findNeo4jTarget({ NEO4J_URI: 'bolt://db:7687', NEO4J_PASSWORD: 'pw' }, 50, () => { throw new Error('probed'); });
    expect(t).toEqual({ kind: 'env', config: { uri: 'bolt://db:7687', user: 'neo4j', password: 'pw', database: 'neo4j' } });
  });

  it('answers within its budget when the runtime (or loading testcontainers) hangs', async () => {
    const started = Date.now();
    const t = await findNeo4jTarget({}, 200, never);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(t).toMatchObject({ kind: 'none', reason: expect.stringContaining('no answer within 200 ms') });
  });

  it('says why there is no runtime, and a probe failing after the budget surfaces nowhere', async () => {
    expect(await findNeo4jTarget({}, 1_000, () => Promise.reject(new Error('no socket')))).toMatchObject({ kind: 'none', reason: expect.stringContaining('no socket') });
    // Rejects after the timeout won: vitest fails the run on an unhandled rejection, so this passing is the check.
    expect((await findNeo4jTarget({}, 20, () => after(60, () => { throw new Error('late'); }))).kind).toBe('none');
    await after(80, () => {});
  });

  it('uses a container when a runtime answers', async () => {
    expect(await findNeo4jTarget({}, 1_000, () => after(10, () => ({})))).toEqual({ kind: 'container' });
  });

  it('finds no runtime on this kind of machine well under 5 s with the real probe', async () => {
    const started = Date.now();
    const t = await findNeo4jTarget({});
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(['none', 'container']).toContain(t.kind);
  });
});
