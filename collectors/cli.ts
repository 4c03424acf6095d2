import { parseArgs } from 'node:util';
import { pushCollected, PushError, type PushProgress, type PushSummary } from './push-client.ts';
import { planBatches, defaultBatchLimits } from './push-plan.ts';
import { collectors } from './registry.ts';
import { CollectError, type Collected } from './types.ts';

/** Where the command writes; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The environment (`SERVICEGRAPH_URL`, `SERVICEGRAPH_TOKEN`, compose interpolation); the CLI entry reads it once. */
  env: Readonly<Record<string, string | undefined>>;
}

/** Options of the command itself; anything else is a source option (`--kubeconfig`, `--mapping`, ...). */
const COMMON = {
  server: { type: 'string' },
  token: { type: 'string' },
  scope: { type: 'string' },
  'run-id': { type: 'string' },
  'batch-cis': { type: 'string' },
  'batch-relations': { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  force: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Source options that take no value; every other unknown `--name` takes one (`--name v` or `--name=v`). */
const SOURCE_FLAGS = new Set(['live']);

const USAGE = `usage: servicegraph collect <source> [inputs...] [--server URL] [--token T] [--scope S]
                           [--dry-run] [--json] [--force] [--batch-cis N] [--batch-relations N] [source options]

  --server   ingest API (default $SERVICEGRAPH_URL or http://localhost:8080)
  --token    collector token (default $SERVICEGRAPH_TOKEN)
  --scope    override the scope the collector derives (completion retires within it)
  --dry-run  print the batches as JSON instead of pushing
  --json     print the final summary as JSON
  --force    complete the run even when it would retire more than the removal guard allows

sources:
`;

function usage(): string {
  return USAGE + [...collectors.values()].map((c) => `  ${c.source.padEnd(11)} ${c.summary}\n      ${c.usage}`).join('\n') + '\n';
}

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };

/** Options the collectors declare (repeatable ones, short forms such as compose's `-f`). */
const DECLARED: Record<string, OptionSpec> = Object.assign({}, ...[...collectors.values()].map((c) => c.options ?? {}));

/** Declares every `--name` the user gave that the command does not know, so parseArgs can stay strict. */
function sourceOptionSpec(argv: string[]): Record<string, OptionSpec> {
  const spec: Record<string, OptionSpec> = { ...DECLARED };
  for (const a of argv) {
    if (a === '--') break;
    const m = /^--([a-z][a-z0-9-]*)(=|$)/i.exec(a);
    if (m && !(m[1] in COMMON) && !(m[1] in DECLARED)) spec[m[1]] = { type: SOURCE_FLAGS.has(m[1]) && m[2] !== '=' ? 'boolean' : 'string' };
  }
  return spec;
}

function positiveInt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(v)) throw new UsageError(`--${name} takes a positive whole number`);
  return Number(v);
}

class UsageError extends Error {}

/**
 * `servicegraph collect <source> …`: runs the collector (get → transform), then pushes through the
 * shared push client, or prints the batches with --dry-run. Returns the exit code: 0 done, 1 failed
 * (malformed input, refused or failed push), 2 bad usage.
 */
export async function runCollectCommand(argv: string[], io: CliIo): Promise<number> {
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { ...COMMON, ...sourceOptionSpec(argv) }, allowPositionals: true, strict: true }));
  } catch (e) {
    io.stderr(`${(e as Error).message}\n\n${usage()}`);
    return 2;
  }
  const [source, ...inputs] = positionals;
  if (values.help || !source) {
    (values.help ? io.stdout : io.stderr)(usage());
    return values.help ? 0 : 2;
  }
  const collector = collectors.get(source);
  if (!collector) {
    io.stderr(`unknown source "${source}"\n\n${usage()}`);
    return 2;
  }
  // A collector's usage line names its options: anything else is a typo that would silently change the run.
  const known = new Set([...collector.usage.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1]).concat(Object.keys(collector.options ?? {})));
  const options: Record<string, string | boolean | string[]> = {};
  for (const [k, v] of Object.entries(values)) {
    if (k in COMMON || v === undefined) continue;
    if (!known.has(k)) {
      io.stderr(`unknown option --${k} for ${source}\nusage: ${collector.usage}\n`);
      return 2;
    }
    options[k] = v;
  }
  if (typeof values.scope === 'string') options.scope = values.scope;

  const quiet = values.quiet === true;
  const progress = (m: string) => {
    if (!quiet) io.stderr(`[${source}] ${m}\n`);
  };
  try {
    const limits = {
      cis: positiveInt(values['batch-cis'] as string | undefined, 'batch-cis') ?? defaultBatchLimits.cis,
      relations: positiveInt(values['batch-relations'] as string | undefined, 'batch-relations') ?? defaultBatchLimits.relations,
    };
    const started = Date.now();
    const input = { inputs, options, progress, env: io.env };
    let runs: Collected[] = collector.collectRuns ? await collector.collectRuns(input) : [await collector.collect(input)];
    if (typeof values.scope === 'string') {
      if (runs.length > 1) throw new UsageError(`--scope names one scope, and this collection covers ${runs.length} (${runs.map((r) => r.scope).join(', ')}): leave --scope out`);
      runs = runs.map((r) => ({ ...r, scope: values.scope as string }));
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    for (const collected of runs) {
      progress(`found ${collected.cis.length} CIs and ${collected.relations.length} relations in ${seconds} s (scope ${collected.scope})`);
      for (const w of collected.warnings) io.stderr(`[${source}] warning: ${w}\n`);
    }

    if (values['dry-run']) {
      const out = runs.flatMap((collected) => {
        const batches = planBatches(collected, { ...defaultBatchLimits, ...limits });
        return batches.map((b, i) => ({
          source,
          scope: collected.scope,
          complete: i === batches.length - 1,
          ...(values.force && i === batches.length - 1 ? { force: true } : {}),
          cis: b.cis,
          relations: b.relations,
        }));
      });
      io.stdout(JSON.stringify(out, null, 2) + '\n');
      return 0;
    }

    const server = (values.server as string | undefined) ?? io.env.SERVICEGRAPH_URL ?? 'http://localhost:8080';
    const token = (values.token as string | undefined) ?? io.env.SERVICEGRAPH_TOKEN;
    if (!token) throw new UsageError('no token: pass --token or set SERVICEGRAPH_TOKEN (a token with the collector role)');
    const runId = values['run-id'] as string | undefined;
    const pushed: { collected: Collected; summary: PushSummary }[] = [];
    // One run per scope, one after the other: each completes (and retires) within its own scope only.
    for (const [i, collected] of runs.entries()) {
      const summary = await pushCollected(collected, {
        server,
        token,
        source: collector.source,
        force: values.force === true,
        runId: runId && runs.length > 1 ? `${runId}-${i + 1}` : runId,
        limits,
        onProgress: (p) => progress(progressLine(p)),
        onRetry: (r) => progress(`batch ${r.batch}: ${r.reason}; retrying in ${(r.delayMs / 1000).toFixed(1)} s (attempt ${r.attempt + 1})`),
      });
      pushed.push({ collected, summary });
    }
    const json = ({ collected, summary }: (typeof pushed)[number]) => ({ source, scope: collected.scope, server, ...summary, warnings: collected.warnings });
    if (values.json) io.stdout(JSON.stringify(pushed.length === 1 ? json(pushed[0]) : { source, server, runs: pushed.map(json) }, null, 2) + '\n');
    else for (const p of pushed) io.stdout(summaryText(source, p.collected, server, p.summary));
    const refused = pushed.flatMap((p) => p.summary.refused);
    if (refused.length === 0) return 0;
    // The good items are in; the refused ones need a person, and a scheduler should see this run as failed.
    for (const r of refused.slice(0, 50)) io.stderr(`[${source}] refused ${r.kind} ${r.item}: ${r.reasons.join('; ')}\n`);
    if (refused.length > 50) io.stderr(`[${source}] ... and ${refused.length - 50} more refused items (--json lists them all)\n`);
    const notCompleted = pushed.filter((p) => p.summary.refused.length).map((p) => p.collected.scope);
    const which = runs.length === 1 ? 'the run was not completed, so nothing was retired'
      : notCompleted.length === 1 ? `the run of ${notCompleted[0]} was not completed, so nothing was retired there`
      : `the runs of ${notCompleted.join(', ')} were not completed, so nothing was retired there`;
    io.stderr(`[${source}] the server refused ${refused.length} item${refused.length === 1 ? '' : 's'}; the others were applied, and ${which}\n`);
    return 1;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${e.message}\n`);
      return 2;
    }
    if (e instanceof CollectError) {
      io.stderr(`[${source}] error: ${e.message}\nnothing was pushed\n`);
      return 1;
    }
    if (e instanceof PushError) {
      io.stderr(`[${source}] push failed: ${e.message}\n`);
      if (e.details !== undefined) io.stderr(`details: ${JSON.stringify(e.details, null, 2)}\n`);
      if (e.code === 'removal_guard') io.stderr('the run was not completed; rerun with --force if the removals are intended\n');
      else io.stderr(`the run was not completed, so nothing was retired (${e.batch > 1 ? `batches 1-${e.batch - 1} were applied` : 'no batch was applied'})\n`);
      return 1;
    }
    throw e;
  }
}

function progressLine(p: PushProgress): string {
  return `pushed batch ${p.batch}/${p.batches}: ${p.cisPushed}/${p.cisTotal} CIs, ${p.relationsPushed}/${p.relationsTotal} relations (${Math.round(p.itemsPerSecond)} items/s)`;
}

function summaryText(source: string, c: Collected, server: string, s: PushSummary): string {
  const counts = (x: PushSummary['cis']) => `${x.created} created, ${x.updated} updated, ${x.unchanged} unchanged, ${x.retired} retired`;
  return [
    `${source} → ${server} scope ${c.scope}, run ${s.runId} (${s.batches} batch${s.batches === 1 ? '' : 'es'}, ${s.runCompleted ? 'completed' : 'not completed'})`,
    `  CIs:       ${counts(s.cis)}`,
    `  relations: ${counts(s.relations)}`,
    ...(c.warnings.length ? [`  warnings:  ${c.warnings.length} (above)`] : []),
    ...(s.refused.length ? [`  refused:   ${s.refused.length} (below)`] : []),
    '',
  ].join('\n');
}
