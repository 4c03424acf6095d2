// The WAL checkpoint thread (wal-checkpointer.ts): its own connection to the store file, checkpointing every
// `intervalMs`, so that no commit on the main thread's connection pays for one (SQLite's auto-checkpoint runs on
// the committing connection: at 1M CIs a 64 MB checkpoint held the event loop 0.5-0.9 s). Plain JavaScript: it needs
// nothing of the server, so it does without the TypeScript loader a worker thread would have to register.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs, maxFrames, restartWaitMs } = workerData;
const db = new Database(file, { fileMustExist: true });
// Only RESTART waits (for the writer and the readers it must see out), and for at most this long.
db.pragma(`busy_timeout = ${restartWaitMs}`);
// PASSIVE copies what no reader still needs and waits for nobody: neither the writers nor the readers of other
// connections ever wait for it, and what it could not copy is copied by a later round.
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
// But the WAL only starts over from its beginning when a write begins after a round that copied all of it, which
// writes that keep coming (a sweep's parts, every ~50 ms) never leave room for (measured: 500 MB at 1M CIs). Past
// `maxFrames` the thread asks the main thread for its connection's writes to pause (its store's mutex: requests
// wait on a promise, the loop serves reads meanwhile), then RESTART takes the write lock, copies the few frames
// PASSIVE left and waits for readers to leave the WAL, so that the next write starts it over (and cuts the file back
// to journal_size_limit). Another connection's writer (the ingest thread) is waited for by the busy timeout.
const restart = db.prepare('PRAGMA wal_checkpoint(RESTART)');
let timer = null;
let closing = false;

function round() {
  timer = null;
  if (closing) return;
  const t0 = performance.now();
  if (run(passive, 'passive', t0)?.log > maxFrames) {
    // The next round once the restart is done (below).
    parentPort.postMessage({ type: 'restart-wanted' });
    return;
  }
  timer = setTimeout(round, intervalMs);
}

function run(statement, mode, t0) {
  try {
    const r = statement.get();
    parentPort.postMessage({ type: 'done', mode, busy: r.busy, walFrames: r.log, checkpointed: r.checkpointed, ms: performance.now() - t0 });
    return r;
  } catch (e) {
    parentPort.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
    return null;
  }
}

parentPort.on('message', (m) => {
  if (m.type === 'restart') {
    if (closing) return;
    run(restart, 'restart', performance.now());
    parentPort.postMessage({ type: 'restarted' });
    timer = setTimeout(round, intervalMs);
    return;
  }
  if (m.type !== 'close') return;
  closing = true;
  if (timer) clearTimeout(timer);
  db.close();
  parentPort.close();
});
round();
