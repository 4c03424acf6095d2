import { describe, it, expect, afterEach } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { until } from '../helpers/ingest-answers.ts';
import { takeWriterPriority } from '../../server/ingest/writer-priority.ts';
import { urgent } from '../../server/live/urgent.ts';

/** The nice value of each of this process's threads (Linux: /proc/self/task/<tid>/stat, field 19). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

/** Whether this process may lower a nice value below 0 (root here; elsewhere CAP_SYS_NICE or RLIMIT_NICE). */
const mayRaise = process.getuid?.() === 0;

/**
 * The ingest writer thread runs ahead of the threads serving reads for the CPU (SERVICEGRAPH_INGEST_THREAD_NICE):
 * its nice value is its own, the process's other threads keep theirs.
 */
describe.runIf(process.platform === 'linux')('the ingest writer thread priority', () => {
  let server: TestServer | null = null;
  afterEach(async () => { await server?.close(); server = null; });

  it('is the thread\'s own: it runs at the nice value asked for, and the main thread and the rest keep the process\'s', async () => {
    const before = threadNices().filter((n) => n === -7).length;
    server = await startTestServer({ config: { ingestThreadNice: -7 } });
    if (mayRaise) {
      expect(server.ingestThread!.priority).toEqual({ nice: -7 });
      expect(threadNices().filter((n) => n === -7).length).toBe(before + 1);
    } else {
      expect(server.ingestThread!.priority).toMatchObject({ nice: getPriority(0), error: expect.any(String) });
    }
    expect(getPriority(0)).toBe(0);
    expect(server.health()).toMatchObject({ ingestWriterPriority: server.ingestThread!.priority });
  });

  it('is the process\'s when set to 0', async () => {
    server = await startTestServer({ config: { ingestThreadNice: 0 } });
    expect(server.ingestThread!.priority).toEqual({ nice: getPriority(0) });
  });

  it('is taken again by a thread started after the first one ended', async () => {
    server = await startTestServer({ config: { ingestThreadNice: -6 } });
    const thread = server.ingestThread!;
    const first = thread.priority;
    await thread.kill();
    // Each start reports the priority it took (a new report, equal to the first one's).
    await until(() => thread.up && thread.priority !== first, 'the thread to restart');
    expect(thread.priority).toEqual(first);
    if (mayRaise) expect(threadNices().filter((n) => n === -6).length).toBe(1);
  });
});

describe('taking the writer priority', () => {
  it('changes nothing off Linux, where a thread has no priority of its own, and says so', () => {
    const now = getPriority(0);
    expect(takeWriterPriority(-5, 'darwin')).toEqual({ nice: now, error: expect.stringContaining('Linux') });
    expect(getPriority(0)).toBe(now);
  });
});

describe.runIf(process.platform === 'linux' && mayRaise)('the writer thread\'s priority lent to the main thread', () => {
  let server: TestServer | null = null;
  afterEach(async () => { await server?.close(); server = null; });

  it('raises the main thread while a reply waits for it, and the main thread gives it back once it took the reply', async () => {
    server = await startTestServer({ config: { ingestThreadNice: -8 } });
    const token = await server.tokenFor('collector');
    const answer = fetch(`${server.url}/api/v1/ingest`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'kubernetes', scope: 'lent', cis: [{ class: 'service', name: 'lent-a', environment: 'prod' }] }),
    });
    // (Awaited below; should an expectation fail first, the answer cut off by the close is not a second failure.)
    answer.catch(() => undefined);
    await until(() => server!.ingestThread!.inFlight > 0, 'the batch to reach the writer thread');
    // This loop held (as reads under load hold it) until the thread posted its reply: the main thread runs ahead meanwhile.
    const heldSince = performance.now();
    while (!urgent() && performance.now() - heldSince < 10_000) { /* the reply is not posted yet */ }
    expect(urgent()).toBe(true);
    expect(getPriority(process.pid)).toBe(-8);
    expect((await answer).status).toBe(200);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(getPriority(process.pid)).toBe(0);
  });
});
