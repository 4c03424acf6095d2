export {};
/**
 * `npm run bench -- <name> [options]`: benchmarks print figures and write bench-results/<name>.json.
 * They are not tests: tests assert correctness, benchmarks measure.
 */
const benches: Record<string, () => Promise<(args: string[]) => Promise<void>>> = {
  ingest: async () => (await import('./ingest.ts')).benchIngest,
  'ingest-indexes': async () => (await import('./ingest-indexes.ts')).benchIngestIndexes,
  impact: async () => (await import('./impact.ts')).benchImpact,
  load: async () => (await import('./load.ts')).benchLoad,
  otlp: async () => (await import('./otlp.ts' as string)).benchOtlp,
  mcp: async () => (await import('./mcp.ts')).benchMcp,
  alerts: async () => (await import('./alerts.ts')).benchAlerts,
  reads: async () => (await import('./reads.ts')).benchReads,
  storage: async () => (await import('./storage.ts')).benchStorage,
  sweep: async () => (await import('./sweep.ts')).benchSweep,
  maps: async () => (await import('./maps.ts')).benchMaps,
  apply: async () => (await import('./apply.ts')).benchApply,
  startup: async () => (await import('./startup.ts')).benchStartup,
  'read-cache': async () => (await import('./read-cache.ts')).benchReadCache,
  poll: async () => (await import('./poll.ts')).benchPoll,
};

const [benchName, ...args] = process.argv.slice(2);
if (!benchName || !benches[benchName]) {
  console.log(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]\n  e.g. npm run bench -- ingest --cis 100000`);
  process.exit(benchName ? 2 : 0);
}
try {
  await (await benches[benchName]())(args);
} catch (e) {
  // One line saying what failed (a bad option, an unreachable store); SG_BENCH_STACK=1 shows the stack.
  process.stderr.write(`bench ${benchName} failed: ${process.env.SG_BENCH_STACK ? (e as Error).stack : (e as Error).message}\n`);
  process.exit(1);
}
