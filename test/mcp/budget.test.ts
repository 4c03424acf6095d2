import { describe, expect, it } from 'vitest';
import { fitToBudget } from '../../server/mcp/budget.ts';

describe('an MCP reply kept within its byte budget', () => {
  const service = (i: number) => ({ id: `ci-${i}`, name: `service-${i}`, class: 'service', tier: 1 + (i % 4), reason: `payments-db: 0 of 1 up, needs 1 → down (${i})` });

  it('leaves a reply that fits untouched', () => {
    const reply = { asOf: '2026-12-05T00:00:00Z', services: [service(1), service(2)], truncated: false };
    const fit = fitToBudget(reply, 10_000);
    expect(fit).toEqual({ value: reply, truncated: false, omitted: {} });
  });

  it('cuts the longest list from its tail until the JSON fits, and counts what it left out', () => {
    const reply = { asOf: 'now', summary: { services: 20_000 }, services: Array.from({ length: 20_000 }, (_, i) => service(i)), failed: [service(-1)] };
    const fit = fitToBudget(reply, 8_192);
    expect(Buffer.byteLength(JSON.stringify(fit.value))).toBeLessThanOrEqual(8_192);
    expect(fit.truncated).toBe(true);
    expect(fit.value.services[0]).toEqual(service(0));
    expect(fit.value.services.length + fit.omitted.services).toBe(20_000);
    expect(fit.value.failed).toEqual([service(-1)]);
    expect(fit.value.summary).toEqual({ services: 20_000 });
    expect(reply.services).toHaveLength(20_000);
  });

  it('names nested lists by their kind, not their index', () => {
    const nodes = Array.from({ length: 50 }, (_, i) => ({ id: `n${i}`, out: Array.from({ length: 200 }, (_, j) => ({ type: 'DEPENDS_ON', to: `n${j}` })) }));
    const fit = fitToBudget({ nodes }, 20_000);
    expect(Buffer.byteLength(JSON.stringify(fit.value))).toBeLessThanOrEqual(20_000);
    expect(Object.keys(fit.omitted).every((k) => k === 'nodes' || k === 'nodes[].out')).toBe(true);
  });
});

describe('a tool reply', () => {
  it('fits the budget with its own note of what was left out, and says its time', async () => {
    const { reply } = await import('../../server/mcp/mcp-server.ts');
    const services = Array.from({ length: 300 }, (_, i) => ({ id: `ci-${i}`, name: `service-${i}`, reason: 'db: 0 of 1 up, needs 1 → down' }));
    const nodes = Array.from({ length: 300 }, (_, i) => ({ id: `n-${i}`, out: [{ type: 'DEPENDS_ON', to: `n-${i + 1}` }] }));
    for (const budget of [1024, 2048, 4096, 4097, 10_000]) {
      const text = reply({ services, nodes }, '2026-12-05T08:00:00.000Z', budget);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(budget);
      const body = JSON.parse(text);
      expect(body).toMatchObject({ asOf: '2026-12-05T08:00:00.000Z', truncated: true });
      expect(body.services.length + body.omitted.services).toBe(300);
    }
  });
});
