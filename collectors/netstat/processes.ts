import { basename } from 'node:path';

/** A process that owns sockets: what /proc/<pid>/comm and cmdline say. */
export interface ProcessInfo { pid: number; comm: string; argv: string[] }

/** Runtimes whose process name says nothing: the program is the first argument. */
const RUNTIMES = /^(node|nodejs|deno|bun|python\d*(\.\d+)?|ruby|perl|php|java|dotnet|sh|bash|dash|uwsgi|gunicorn)$/;

/** `/proc/<pid>/cmdline`: arguments separated (and ended) by NUL. */
export function parseCmdline(raw: string): string[] {
  return raw.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
}

/**
 * A stable name for what a process runs, so that two `node` processes are two services and a
 * restarted process (new pid) is the same one: the comm, plus the program file for runtimes
 * (`node:server.mjs`, `java:app.jar`, `python3:manage.py`).
 */
export function programName(p: Pick<ProcessInfo, 'comm' | 'argv'>): string {
  const exe = p.comm || basename(p.argv[0] ?? '') || 'unknown';
  if (!RUNTIMES.test(exe)) return exe;
  for (let i = 1; i < p.argv.length; i++) {
    const a = p.argv[i];
    if (a === '-jar' || a === '-m') return `${exe}:${basename(p.argv[i + 1] ?? '')}`;
    // Options that take the next argument: classpath, inline code, module loaders.
    if (['-cp', '-classpath', '-e', '-c', '--eval', '--require', '-r', '--import', '--loader'].includes(a)) { i++; continue; }
    if (a.startsWith('-')) continue;
    return `${exe}:${basename(a)}`;
  }
  return exe;
}
