import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import type { ServerMessage } from '../../server/model/live.ts';

/** Collects a socket's messages and lets a test wait for the first one matching a predicate. */
function listen(url: string) {
  const ws = new WebSocket(url);
  const seen: ServerMessage[] = [];
  const waiters: { pred: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as ServerMessage;
    seen.push(m);
    for (const w of [...waiters]) if (w.pred(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const next = (pred: (m: ServerMessage) => boolean, ms = 5000) => new Promise<ServerMessage>((resolve, reject) => {
    const hit = seen.find(pred);
    if (hit) return resolve(hit);
    const t = setTimeout(() => reject(new Error('no matching message within ' + ms + ' ms')), ms);
    waiters.push({ pred, resolve: (m) => { clearTimeout(t); resolve(m); } });
  });
  return { ws, seen, next, closed };
}

describe('live change events over WebSocket', () => {
  let s: TestServer;
  let wsUrl: string;
  beforeAll(async () => { s = await startTestServer(); wsUrl = s.url.replace('http', 'ws') + '/api/v1/events'; });
  afterAll(async () => { await s.close(); });

  it('greets a viewer with the current sequence, then streams each committed batch in order', async () => {
    const viewer = listen(`${wsUrl}?token=${await s.tokenFor('viewer')}`);
    const hello = await viewer.next((m) => m.type === 'hello');
    expect(hello).toMatchObject({ type: 'hello', role: 'viewer' });
    await s.api('/api/v1/ingest', { body: { source: 'k', cis: [{ class: 'service', name: 'live-1' }] } });
    await s.api('/api/v1/ingest', { body: { source: 'k', cis: [{ class: 'service', name: 'live-2' }] } });
    const second = await viewer.next((m) => m.type === 'change' && m.event.changes.some((c) => c.ci?.name === 'live-2'));
    const changes = viewer.seen.filter((m) => m.type === 'change');
    expect(changes.map((m) => m.type === 'change' && m.event.changes[0].ci?.name)).toEqual(['live-1', 'live-2']);
    expect(second.type === 'change' && second.event.changes[0]).toMatchObject({ kind: 'ci.created', ci: { class: 'service', lifecycle: 'active' } });
    viewer.ws.close();
  });

  it('accepts the token as a first message and replays what a reconnecting client missed', async () => {
    const before = await s.store.latestSeq();
    await s.api('/api/v1/ingest', { body: { source: 'k', cis: [{ class: 'service', name: 'missed-while-away' }] } });
    const client = listen(wsUrl);
    client.ws.on('open', async () => client.ws.send(JSON.stringify({ type: 'auth', token: await s.tokenFor('viewer') })));
    await client.next((m) => m.type === 'hello');
    client.ws.send(JSON.stringify({ type: 'since', seq: before }));
    const replayed = await client.next((m) => m.type === 'change');
    expect(replayed.type === 'change' && replayed.event.changes[0].ci?.name).toBe('missed-while-away');
    client.ws.close();
  });

  it('refuses unknown and collector tokens', async () => {
    const stranger = listen(`${wsUrl}?token=sg_nope`);
    expect(await stranger.closed).toBe(4401);
    const collector = listen(`${wsUrl}?token=${await s.tokenFor('collector')}`);
    expect(await collector.closed).toBe(4401);
    expect(collector.seen[0]).toMatchObject({ type: 'error', code: 'unauthenticated' });
  });
});
