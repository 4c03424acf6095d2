import Database from 'better-sqlite3';
import { closeSync, existsSync, fchmodSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The embedded store's file in a data dir (server/store/select-store.ts opens the same). */
export const storeFile = (dataDir: string) => join(dataDir, 'servicegraph.db');
const lockFile = (dataDir: string) => join(dataDir, 'servicegraph.pid');

/**
 * A running server holds its data dir: `<data>/servicegraph.pid` names its process while it runs
 * (removed on a clean stop; a file left by a killed server names a process that is gone).
 */
export function holdDataDir(dataDir: string, pid = process.pid): () => void {
  writeFileSync(lockFile(dataDir), `${pid}\n`, { mode: 0o600 });
  return () => { try { if (readFileSync(lockFile(dataDir), 'utf8').trim() === String(pid)) unlinkSync(lockFile(dataDir)); } catch { /* gone already */ } };
}

/** The pid of a live server holding `dataDir`, or null. */
export function holder(dataDir: string): number | null {
  let pid: number;
  try { pid = Number(readFileSync(lockFile(dataDir), 'utf8').trim()); } catch { return null; }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try { process.kill(pid, 0); return pid; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : null; }
}

export interface BackupInfo { file: string; bytes: number; seq: number; cis: number }

/**
 * An online, consistent copy of the embedded store while writes go on: `VACUUM INTO` reads one snapshot
 * (a WAL read transaction: writers are not blocked and the copy never mixes two batches) into a new,
 * compacted file. The copy's last change-event sequence says which batch it ends with.
 */
export function backupStore(dataDir: string, target: string): BackupInfo {
  const source = storeFile(dataDir);
  if (!existsSync(source)) throw new Error(`no store at ${source}: nothing to back up (is SERVICEGRAPH_DATA_DIR right?)`);
  // The copy holds every token's hash and the whole estate: it is made 0600 (and never over an existing file) before
  // SQLite writes a byte into it; VACUUM INTO fills an empty file as it finds it. Made by SQLite, it was 0644 under
  // the usual umask until the copy ended, readable by every local user meanwhile.
  closeSync(createPrivate(target, `${target} exists; a backup never overwrites a file`));
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    db.prepare('VACUUM INTO ?').run(target);
  } catch (e) {
    rmSync(target, { force: true });
    throw e;
  } finally {
    db.close();
  }
  return { file: target, bytes: statSync(target).size, ...describe(target) };
}

/** A new file only its owner may read, from its creation (`wx`: never one that exists), open for writing. */
function createPrivate(file: string, existsMessage: string): number {
  try {
    const fd = openSync(file, 'wx', 0o600);
    // The mode given at creation is cut by the umask; a umask never adds bits, but 0600 is said again to be sure.
    fchmodSync(fd, 0o600);
    return fd;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(existsMessage);
    throw e;
  }
}

/**
 * `from` copied into a new private file `to`, synced. Not copyFileSync: it gives the copy the source's mode, so a
 * backup kept 0644 would be a world-readable store file until a chmod after it.
 */
function copyPrivate(from: string, to: string): void {
  const out = createPrivate(to, `${to} exists`);
  try {
    const input = openSync(from, 'r');
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (let n; (n = readSync(input, buf, 0, buf.length, null)) > 0;) writeSync(out, buf, 0, n);
    } finally {
      closeSync(input);
    }
    fsyncSync(out);
  } finally {
    closeSync(out);
  }
}

/** What a store file holds, checked: SQLite's quick_check passes and the tables are ours. */
export function describe(file: string): { seq: number; cis: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`${file} is damaged: ${String(check)}`);
    const tables = new Set(db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((t) => t.name));
    for (const t of ['cis', 'relations', 'events', 'assertions', 'tokens']) if (!tables.has(t)) throw new Error(`${file} is not a servicegraph store (no ${t} table)`);
    return {
      seq: db.prepare<[], { s: number | null }>('SELECT max(seq) AS s FROM events').get()!.s ?? 0,
      cis: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM cis').get()!.n,
    };
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_NOTADB') throw new Error(`${file} is not a SQLite database`);
    throw e;
  } finally {
    db.close();
  }
}

/**
 * Puts a backup in place of the data dir's store, refusing while a server holds the dir. The backup is
 * checked first, copied beside the store and renamed over it (never a half-written store); the store it
 * replaces is kept as `servicegraph.db.before-restore-<time>` with its WAL.
 */
export function restoreStore(dataDir: string, backup: string, now = new Date()): BackupInfo & { previous: string | null } {
  const pid = holder(dataDir);
  if (pid !== null) throw new Error(`a server (pid ${pid}) is running on ${dataDir}; stop it before restoring`);
  const info = describe(backup);
  const target = storeFile(dataDir);
  const staging = `${target}.restoring`;
  // Left by a restore that failed midway (no server holds the dir): made again.
  rmSync(staging, { force: true });
  copyPrivate(backup, staging);
  let previous: string | null = null;
  if (existsSync(target)) {
    previous = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    renameSync(target, previous);
    for (const suffix of ['-wal', '-shm']) if (existsSync(target + suffix)) renameSync(target + suffix, previous + suffix);
  }
  renameSync(staging, target);
  // The directory entry itself, so the rename survives a crash.
  const dirFd = openSync(dirname(target), 'r');
  try { fsyncSync(dirFd); } finally { closeSync(dirFd); }
  return { file: basename(target), bytes: statSync(target).size, ...info, previous };
}
