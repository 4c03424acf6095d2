// The ingest writer thread's first module (ingest-thread.ts): a worker thread does not inherit the TypeScript
// loader its process was started with (`node --import tsx`, vitest), so it registers tsx's, then loads the entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
