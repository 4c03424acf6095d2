/**
 * `npm run bench -- mcp [--cis 1000000]`: what an agent gets from the MCP tools on a large estate, next
 * to what the same REST calls answer: reply bytes (the budget is what fits a model's context) and
 * time per call, on the biggest hubs and on random CIs. Reuses the impact bench's estate under
 * data/bench/. Writes bench-results/mcp.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { defaultLimits } from '../../server/model/limits.ts';
import { loadTopology } from '../../server/topology/build.ts';
import { firstJsonLine, percentile, writeResult } from './bench-util.ts';
import { estateStore, hubs } from './impact.ts';

const log = (msg: string) => process.stderr.write(`[bench mcp] ${msg}\n`);

interface Sample { tool: string; mcpBytes: number; restBytes: number; mcpMs: number; restMs: number; truncated: boolean }

export async function benchMcp(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: {
    cis: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '7' },
    hubs: { type: 'string', default: '10' }, random: { type: 'string', default: '20' },
  } });
  if (getHeapStatistics().heap_size_limit < 8e9 && !process.env.SG_BENCH_CHILD) {
    const r = spawnSync(process.execPath, [...process.execArgv, '--max-old-space-size=16384', process.argv[1], ...process.argv.slice(2)],
      { stdio: 'inherit', env: { ...process.env, SG_BENCH_CHILD: '1' } });
    process.exitCode = r.status ?? 1;
    return;
  }
  const cis = Number(values.cis), seed = Number(values.seed);
  const { store, file } = await estateStore('sqlite', cis, seed);
  const topo = await loadTopology(store);
  const live = [...topo.liveNodeIds()];
  const picks = [...hubs(topo, Number(values.hubs)), ...Array.from({ length: Number(values.random) }, (_, i) => live[(i * 7919 + seed) % live.length])].map((n) => topo.idOf(n));
  await store.close();

  const child = spawn(process.execPath, [...process.execArgv, join(dirname(fileURLToPath(import.meta.url)), 'impact-server.ts'), '--store', 'sqlite', file!], { stdio: ['pipe', 'pipe', 'inherit'] });
  const server = await firstJsonLine<{ url: string; token: string }>(child);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${server.token}` };
  const client = new Client({ name: 'servicegraph-bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url + '/mcp'), { requestInit: { headers } }));

  const samples: Sample[] = [];
  const timed = async <T>(f: () => Promise<T>) => { const s = performance.now(); const v = await f(); return { v, ms: performance.now() - s }; };
  for (const id of picks) {
    const calls: [string, Record<string, unknown>, string, RequestInit][] = [
      ['blast_radius', { failed: [{ ci: id }], limit: 500 }, '/api/v1/impact', { method: 'POST', headers, body: JSON.stringify({ failed: [{ ci: id, state: 'down' }], limit: 500 }) }],
      ['service_map', { focus: [id], direction: 'upstream', depth: 3, maxNodes: 2000 }, `/api/v1/graph?focus=${id}&direction=upstream&depth=3&maxNodes=2000`, { headers }],
      ['get_ci', { ci: id }, `/api/v1/cis/${id}`, { headers }],
    ];
    for (const [tool, toolArgs, path, init] of calls) {
      const rest = await timed(async () => (await fetch(server.url + path, init)).text());
      const mcp = await timed(() => client.callTool({ name: tool, arguments: toolArgs }));
      const text = (mcp.v.content as { text: string }[])[0].text;
      samples.push({ tool, mcpBytes: Buffer.byteLength(text), restBytes: Buffer.byteLength(rest.v), mcpMs: mcp.ms, restMs: rest.ms, truncated: Boolean(JSON.parse(text).truncated) });
    }
  }
  await client.close();
  child.stdin!.end();

  const stats = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return { p50: Math.round(percentile(s, 50)), p99: Math.round(percentile(s, 99)), max: Math.round(s[s.length - 1]) }; };
  const byTool = Object.fromEntries(['blast_radius', 'service_map', 'get_ci'].map((t) => {
    const xs = samples.filter((s) => s.tool === t);
    return [t, { mcpBytes: stats(xs.map((s) => s.mcpBytes)), restBytes: stats(xs.map((s) => s.restBytes)), mcpMs: stats(xs.map((s) => s.mcpMs)), restMs: stats(xs.map((s) => s.restMs)), truncated: xs.filter((s) => s.truncated).length }];
  }));
  const budget = defaultLimits.mcpReplyBytes;
  const maxReplyBytes = Math.max(...samples.map((s) => s.mcpBytes));
  const result = { cis: topo.stats().cis, calls: samples.length, budgetBytes: budget, maxReplyBytes, overBudget: samples.filter((s) => s.mcpBytes > budget).length, byTool,
    note: 'mcp*: the MCP tool reply (JSON text) over Streamable HTTP; rest*: the REST answer the tool is built on, for the same CI (what an agent would read without the tool). Hubs first, then random CIs. Shared 2-core machine: times are noisy.' };
  for (const [t, s] of Object.entries(byTool)) log(`${t}: MCP reply p50 ${s.mcpBytes.p50} B, max ${s.mcpBytes.max} B (budget ${budget}); REST p50 ${s.restBytes.p50} B, max ${s.restBytes.max} B; MCP p50 ${s.mcpMs.p50} ms, p99 ${s.mcpMs.p99} ms; truncated ${s.truncated}`);
  log(`largest reply ${maxReplyBytes} B of a ${budget} B budget; over budget: ${result.overBudget}`);
  log(`wrote ${writeResult('mcp', result)}`);
}
