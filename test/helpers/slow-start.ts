import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv, type Config } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { loadDemo } from '../../server/demo/load-demo.ts';
import { defaultLimits } from '../../server/model/limits.ts';

/** A store whose projection load (in chunks of 50 rows) waits, after its first chunk, until the test lets it go on. */
export class SlowToLoad extends SqliteStore {
  private release!: () => void;
  private readonly held = new Promise<void>((r) => { this.release = r; });
  private chunks = 0;
  letGo(): void { this.release(); }
  override async *streamTopology(asOf?: string) {
    for await (const chunk of super.streamTopology(asOf, 50)) {
      yield chunk;
      if (!asOf && ++this.chunks === 1) await this.held;
    }
  }
}

export interface SlowStart {
  store: SlowToLoad;
  token: string;
  /** Resolves once the server listens (its projection still held). */
  url: Promise<string>;
  /** Resolves once the server has started (after letGo()). */
  started: Promise<RunningServer>;
  /** Lets the load go on, waits for the start and closes the server; removes its data. */
  close(): Promise<void>;
}

/** The real server over a demo estate of `cis` CIs whose projection load is held after its first 50 CIs. */
export async function startSlowServer(opts: { cis?: number; config?: Partial<Config> } = {}): Promise<SlowStart> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sg-startup-'));
  const store = new SlowToLoad({ file: join(dataDir, 'store.db') });
  await store.init();
  await loadDemo(store, defaultLimits, { cis: opts.cis ?? 300 });
  const token = 'sg_startup_admin_' + Math.random().toString(36).slice(2);
  const config: Config = {
    ...configFromEnv({ SERVICEGRAPH_LOG_LEVEL: 'silent' }), port: 0, host: '127.0.0.1', dataDir, adminToken: token, pollMs: 200,
    otlpGrpcPort: null, ingestThread: 'off', ...opts.config,
  };
  let listening!: (url: string) => void;
  const url = new Promise<string>((r) => { listening = r; });
  const started = startServer(config, { store, onListening: (u) => listening(u) });
  return {
    store, token, url, started,
    async close() {
      store.letGo();
      await (await started).close();
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}
