// Counts a store's live CIs and relations on a connection of its own (sqlite-store.ts, topologySize): at 1M CIs and
// 1.7M relations the two counts read ~1 s and ~1.4 s of cold pages, which on the main thread's connection would hold
// the loop of a server that already listens (a start answers /healthz while it loads). Plain JavaScript, as the
// checkpoint thread: it needs nothing of the server.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

let db = null;
let answer;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  const count = (sql) => db.prepare(sql).get().n;
  // The queries come from topology-size.ts, which counts an in-memory store with the same ones.
  answer = { cis: count(workerData.queries.cis), relations: count(workerData.queries.relations) };
} catch (e) {
  answer = { error: e instanceof Error ? e.message : String(e) };
} finally {
  db?.close();
}
// After the close: the store's close waits for this answer, and then nothing of this thread touches the file.
parentPort.postMessage(answer);
