import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { LIVE_CLOSE_TRY_LATER } from '../../server/live/ws-hub.ts';

/** A socket from `localAddress`, with how it closed (code) once it does. */
function open(url: string, localAddress = '127.0.0.1') {
  const ws = new WebSocket(url, { localAddress });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const opened = new Promise<void>((resolve) => ws.on('open', () => resolve()));
  const messages: string[] = [];
  ws.on('message', (d) => messages.push(String(d)));
  return { ws, closed, opened, messages };
}
const settled = (p: Promise<number>, ms: number) => Promise.race([p, new Promise<'open'>((r) => setTimeout(() => r('open'), ms))]);

/**
 * Sockets that connect to the live feed and never sign in are bounded: in all, per remote address, and in time.
 * A signed-in client keeps its stream whatever else connects.
 */
describe('live feed: connections waiting to authenticate', () => {
  let s: TestServer;
  let wsUrl: string;
  beforeAll(async () => {
    s = await startTestServer({ config: { livePendingMax: 6, livePendingPerAddress: 4, liveAuthDeadlineMs: 1_500 } });
    wsUrl = s.url.replace('http', 'ws') + '/api/v1/events';
  });
  afterAll(async () => { await s.close(); });

  it('closes those past the bounds at once (1013), the rest at the deadline (4401), and the signed-in one keeps streaming', async () => {
    const viewer = open(`${wsUrl}?token=${await s.tokenFor('viewer')}`);
    await viewer.opened;
    await expect.poll(() => viewer.messages.some((m) => m.includes('"hello"'))).toBe(true);

    const first = Array.from({ length: 4 }, () => open(wsUrl));
    await Promise.all(first.map((c) => c.opened));
    // A fifth from the same address: over its bound.
    expect(await open(wsUrl).closed).toBe(LIVE_CLOSE_TRY_LATER);
    // Another address takes the two left of the total, then it is full for everyone.
    const other = [open(wsUrl, '127.0.0.2'), open(wsUrl, '127.0.0.2')];
    await Promise.all(other.map((c) => c.opened));
    expect(await open(wsUrl, '127.0.0.3').closed).toBe(LIVE_CLOSE_TRY_LATER);
    // Those within the bounds stay open until the deadline.
    expect(await settled(first[0].closed, 300)).toBe('open');

    await s.api('/api/v1/ingest', { body: { source: 'k', cis: [{ class: 'service', name: 'flood-proof' }] } });
    await expect.poll(() => viewer.messages.some((m) => m.includes('flood-proof'))).toBe(true);

    for (const c of [...first, ...other]) expect(await c.closed).toBe(4401);
    // Their places are free again; the signed-in client was never counted and is still open.
    const later = open(wsUrl);
    await later.opened;
    expect(await settled(later.closed, 200)).toBe('open');
    expect(viewer.ws.readyState).toBe(WebSocket.OPEN);
    later.ws.close();
    viewer.ws.close();
  });

  it('counts a socket that signs in as waiting no more', async () => {
    const token = await s.tokenFor('viewer');
    const signedIn = Array.from({ length: 8 }, () => open(`${wsUrl}?token=${token}`));
    await Promise.all(signedIn.map((c) => c.opened));
    await expect.poll(() => signedIn.every((c) => c.messages.some((m) => m.includes('"hello"')))).toBe(true);
    // Eight signed in from one address, past both bounds: a ninth that waits is still let in.
    const waiting = open(wsUrl);
    await waiting.opened;
    expect(await settled(waiting.closed, 200)).toBe('open');
    for (const c of [...signedIn, waiting]) c.ws.close();
  });
});
