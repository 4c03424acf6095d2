import { getPriority, setPriority } from 'node:os';

/** What the writer thread got: the nice value it runs at, or why it could not take the one asked for. */
export type WriterPriority = { nice: number } | { nice: number; error: string };

/**
 * The ingest writer thread takes the CPU before the threads serving reads (SERVICEGRAPH_INGEST_THREAD_NICE).
 *
 * With API workers busy with reads on every core, the thread committing a collector's batch got a fair share among
 * them (and the load's other processes): its write took 1.5-4x as long as idle, most of a batch's latency under
 * load (issue 14, stops 29-31). Linux gives each thread its own nice value (setpriority on the calling thread: `0`),
 * so this thread alone runs ahead; the loops that serve reads keep theirs. Lowering a nice value below 0 needs
 * CAP_SYS_NICE (root) or an RLIMIT_NICE that allows it (systemd's LimitNICE=); without it the thread runs as
 * before and says why. Raising the readers' nice instead (stop 30) needs no privilege but made them give way to every
 * other process too (the load generator, on the bench machine): reads got worse and writes no better.
 * Only on Linux: elsewhere the call would change the whole process, readers included, which gives the writer nothing.
 */
export function takeWriterPriority(nice: number, platform: NodeJS.Platform = process.platform): WriterPriority {
  const now = getPriority(0);
  if (nice === 0 || nice === now) return { nice: now };
  if (platform !== 'linux') return { nice: now, error: `a thread's own priority is Linux's; on ${platform} it would be the whole process's` };
  try {
    setPriority(0, nice);
    return { nice: getPriority(0) };
  } catch (e) {
    return { nice: now, error: (e as Error).message };
  }
}

/**
 * While a reply waits for the main thread (the *handover*), the writer thread lends it its priority: under read load
 * that loop, its turns already ending early (urgent.ts), still waited for a core behind the other processes' readers.
 * The main thread's id is the process's (Linux); the writer raises it before posting the reply, so that the main
 * thread, which gives it back once it has taken the reply (`giveBack`), never keeps it.
 */
export function lendToMainThread(nice: number): void {
  try { setPriority(process.pid, nice); } catch { /* Not allowed: the thread's own start said so (takeWriterPriority). */ }
}

/** The main thread back at its own nice value once it took a reply (raising a nice value needs no privilege). */
export function giveBack(nice: number): void {
  try { setPriority(0, nice); } catch { /* Only a thread that could lower it lent it; raising it again is always allowed. */ }
}
