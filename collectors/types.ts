import type { IngestCi, IngestRelation } from '../server/model/ingest.ts';

/**
 * A collector is get → transform → push (Cartography's modules): `collect` reads its inputs (files,
 * folders, stdin, a live endpoint) and returns what it found; pushing, batching, retries and run
 * completion are the shared push client's job, never the collector's.
 */
export interface CollectInput {
  /** Positional inputs from the CLI: files, folders, `-` for stdin, or a source-specific target. */
  inputs: string[];
  /** Source-specific options from the CLI (`--kubeconfig`, `--mapping`, ...); repeatable ones are lists. */
  options: Record<string, string | boolean | string[]>;
  /** Progress reporting on stderr for long work. */
  progress: (message: string) => void;
  /** The caller's environment (compose interpolates `${VAR}` from it, as `docker compose` does). */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface Collected {
  /** The scope this run covers (a cluster, a compose project, a catalog location); completion retires within it. */
  scope: string;
  cis: IngestCi[];
  relations: IngestRelation[];
  /** Anything the user should know that did not stop the run. */
  warnings: string[];
}

export interface Collector {
  /** The `source` name sent with every batch, e.g. `kubernetes`. */
  source: string;
  summary: string;
  /** Usage line for `servicegraph collect <source> --help`; every `--option` it names is accepted. */
  usage: string;
  /** Options that are repeatable or have a short form (`-f`), declared for the command line parser. */
  options?: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
  collect(input: CollectInput): Promise<Collected>;
  /**
   * For a source whose one invocation covers several scopes (AWS accounts and regions): one `Collected` per scope,
   * each pushed as a run of its own so that completing one retires only within it. The CLI prefers it to `collect`.
   */
  collectRuns?(input: CollectInput): Promise<Collected[]>;
}

/** A malformed input: the collector fails and pushes nothing ("better to fail a sync than add malformed data"). */
export class CollectError extends Error {
  constructor(message: string, readonly file?: string, readonly line?: number) {
    super(file ? `${file}${line ? `:${line}` : ''}: ${message}` : message);
  }
}
