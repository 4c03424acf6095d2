import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import type { ServerMessage } from '../../server/model/live.ts';
import { MAX_REPLAY_CHANGES } from '../../server/live/ws-hub.ts';

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

describe('a reconnecting client\'s replay', () => {
  let s: TestServer;
  let wsUrl: string;
  beforeAll(async () => { s = await startTestServer(); wsUrl = s.url.replace('http', 'ws') + '/api/v1/events'; });
  afterAll(async () => { await s.close(); });
  const batch = (prefix: string, n: number) => s.api('/api/v1/ingest', { body: { source: 'k', scope: prefix, cis: Array.from({ length: n }, (_, i) => ({ class: 'service', name: `${prefix}-${i}` })) } });

  it('comes after hello and before any live change, in order with them, while batches keep committing', async () => {
    const since = await s.store.latestSeq();
    for (let i = 0; i < 30; i++) expect((await batch(`away-${i}`, 20)).status).toBe(200);
    let writing = true;
    const writer = (async () => { for (let i = 0; writing; i++) await batch(`meanwhile-${i}`, 5); })();
    const client = listen(`${wsUrl}?token=${await s.tokenFor('viewer')}&since=${since}`);
    await client.next((m) => m.type === 'hello');
    await client.next((m) => m.type === 'change' && m.event.changes[0].ci?.name === 'meanwhile-3-0');
    writing = false;
    await writer;
    const last = await s.store.latestSeq();
    await client.next((m) => m.type === 'change' && m.event.seq === last);
    expect(client.seen[0].type).toBe('hello');
    const seqs = client.seen.flatMap((m) => (m.type === 'change' ? [m.event.seq] : []));
    // Every sequence after `since`, once each, in order: nothing overtaken, nothing dropped.
    expect(seqs).toEqual(Array.from({ length: last - since }, (_, i) => since + 1 + i));
    client.ws.close();
  });

  it('a client too far behind is told to resync from the current sequence, then follows live changes', async () => {
    const since = await s.store.latestSeq();
    // 21 batches of 1,000 CIs: more changes than a replay sends.
    for (let i = 0; i < 21; i++) expect((await batch(`far-${i}`, 1000)).status).toBe(200);
    const now = await s.store.latestSeq();
    const client = listen(`${wsUrl}?token=${await s.tokenFor('viewer')}`);
    client.ws.on('open', async () => client.ws.send(JSON.stringify({ type: 'auth', token: await s.tokenFor('viewer'), since })));
    const resync = await client.next((m) => m.type === 'resync');
    expect(resync).toMatchObject({ type: 'resync', seq: now });
    const replayed = client.seen.flatMap((m) => (m.type === 'change' ? [m.event.changes.length] : []));
    expect(replayed.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_REPLAY_CHANGES);
    await batch('after-resync', 1);
    const live = await client.next((m) => m.type === 'change' && m.event.seq > now);
    expect(live.type === 'change' && live.event.changes[0].ci?.name).toBe('after-resync-0');
    client.ws.close();
  });

  it.each(['null', '1', '[]', '"since"', '{"type":"since","seq":"1"}'])('a message %s is answered, and the connection stays', async (text) => {
    const client = listen(`${wsUrl}?token=${await s.tokenFor('viewer')}`);
    await client.next((m) => m.type === 'hello');
    client.ws.send(text);
    await new Promise((r) => setTimeout(r, 100));
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    expect(client.seen.filter((m) => m.type === 'error').map((m) => m.type === 'error' && m.code)).toEqual(text.startsWith('{') ? [] : ['invalid_json']);
    const name = `still-live-${JSON.stringify(text)}`;
    await batch(name, 1);
    await client.next((m) => m.type === 'change' && m.event.changes[0].ci?.name === `${name}-0`);
    client.ws.close();
  });
});
