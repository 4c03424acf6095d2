import { describe, it, expect } from 'vitest';
import type { ManagedTransaction } from 'neo4j-driver';
import { applySchema, createdConcurrently, supportedVersion } from '../../server/store/neo4j/schema.ts';
import { schemaQueries } from '../../server/store/neo4j/queries.ts';
import { fakeTx } from './neo4j-fake-tx.ts';

const neo4jError = (code: string) => Object.assign(new Error(code), { code });

describe('applying the schema at start (no server)', () => {
  it('runs every statement, then waits for the indexes and makes sure the counter exists', async () => {
    const { tx, calls, problems } = fakeTx();
    await applySchema(async (work) => work(tx));
    expect(problems).toEqual([]);
    expect(calls.filter((c) => c.name === 'schema')).toHaveLength(schemaQueries().length);
    expect(calls.slice(-2).map((c) => c.name)).toEqual(['await-indexes', 'ensure-counter']);
    expect(String(calls[calls.length - 2].params.seconds)).toBe('300');
  });

  it('runs a statement again when another instance created the same rule at the same moment', async () => {
    const { tx, calls } = fakeTx();
    let failed = false;
    await applySchema(async (work) => {
      const out = await work(tx);
      if (!failed && calls.length === 3) { failed = true; throw neo4jError('Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists'); }
      return out;
    });
    expect(failed).toBe(true);
    expect(calls.filter((c) => c.name === 'schema')).toHaveLength(schemaQueries().length + 1);
  });

  it('lets any other failure through', async () => {
    const { tx } = fakeTx();
    const write = async <T>(work: (t: ManagedTransaction) => Promise<T>) => { await work(tx); throw neo4jError('Neo.ClientError.Security.Forbidden'); };
    await expect(applySchema(write)).rejects.toThrow('Forbidden');
  });

  it('knows which errors mean "created meanwhile"', () => {
    expect(createdConcurrently(neo4jError('Neo.ClientError.Schema.ConstraintAlreadyExists'))).toBe(true);
    expect(createdConcurrently(neo4jError('Neo.ClientError.Schema.IndexWithNameAlreadyExists'))).toBe(true);
    expect(createdConcurrently(neo4jError('Neo.ClientError.Schema.ConstraintValidationFailed'))).toBe(false);
    expect(createdConcurrently(new Error('x'))).toBe(false);
    expect(createdConcurrently(null)).toBe(false);
  });

  it('accepts 5.26 and later, Aura and calendar versions; refuses older and unknown', () => {
    for (const v of ['5.26.0', '5.27-aura', '2025.01.0', '2026.02.1']) expect(supportedVersion(v), v).toBe(true);
    for (const v of ['5.25.1', '4.4.30', 'unknown', '']) expect(supportedVersion(v), v).toBe(false);
  });
});
