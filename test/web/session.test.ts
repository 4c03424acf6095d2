import { describe, expect, it } from 'vitest';
import { TokenStore } from '../../web/lib/auth.ts';
import { Session, type Channel, type SessionMessage } from '../../web/lib/session.ts';

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

/** A BroadcastChannel between tabs: a message reaches every other tab, asynchronously, never the sender. */
function bus() {
  const members = new Set<{ fns: Set<(e: { data: unknown }) => void> }>();
  return {
    join(): Channel {
      const me = { fns: new Set<(e: { data: unknown }) => void>() };
      members.add(me);
      return {
        postMessage: (m: SessionMessage) => { for (const o of members) if (o !== me) for (const f of o.fns) queueMicrotask(() => f({ data: structuredClone(m) })); },
        addEventListener: (_t, f) => void me.fns.add(f),
        removeEventListener: (_t, f) => void me.fns.delete(f),
        close: () => void members.delete(me),
      };
    },
  };
}
const tab = (b: ReturnType<typeof bus>) => new Session(new TokenStore(memoryStorage()), b.join());
const settle = () => new Promise((r) => setTimeout(r, 5));

describe('one sign-in for every tab of the browser', () => {
  it('a new tab gets the token from an open one', async () => {
    const b = bus();
    const first = tab(b);
    first.signIn('sg_abc');
    const second = tab(b);
    expect(await second.initial(200)).toBe('sg_abc');
    expect(second.token).toBe('sg_abc');
  });

  it('a new tab with no other tab open shows the sign-in form after a short wait', async () => {
    expect(await tab(bus()).initial(20)).toBeNull();
  });

  it('a tab keeps its own token over a reload without asking', async () => {
    const tokens = new TokenStore(memoryStorage());
    tokens.set('mine');
    expect(await new Session(tokens, bus().join()).initial(10_000)).toBe('mine');
  });

  it('signing in or out in one tab does so in all of them', async () => {
    const b = bus();
    const a = tab(b), c = tab(b);
    const seen: (string | null)[] = [];
    c.subscribe((t) => seen.push(t));
    a.signIn('sg_1');
    await settle();
    expect(c.token).toBe('sg_1');
    a.signOut();
    await settle();
    expect(c.token).toBeNull();
    expect(seen).toEqual(['sg_1', null]);
  });

  it('a tab signed out because its token was revoked says so in every tab; signing in again forgets it', async () => {
    const b = bus();
    const a = tab(b), c = tab(b);
    a.signIn('sg_1');
    await settle();
    a.signOut('revoked');
    await settle();
    expect([a.reason, c.reason, c.token]).toEqual(['revoked', 'revoked', null]);
    c.signIn('sg_2');
    await settle();
    expect([a.reason, c.reason]).toEqual([null, null]);
    // A reason it does not know is no reason; a plain sign-out gives none.
    c.signOut();
    await settle();
    expect(a.reason).toBeNull();
    a.signIn('sg_3');
    await settle();
    b.join().postMessage({ type: 'signout', reason: 'because' as never });
    await settle();
    expect([a.token, a.reason]).toEqual([null, null]);
  });

  it('a #token= link signs this tab and the others in, and gives back the address without it', async () => {
    const b = bus();
    const a = tab(b), c = tab(b);
    const seen: (string | null)[] = [];
    a.subscribe((t) => seen.push(t));
    expect(a.adoptFromLocation({ pathname: '/incidents/inc-1', search: '?status=open', hash: '#token=sg_link' })).toBe('/incidents/inc-1?status=open');
    expect(seen).toEqual(['sg_link']);
    await settle();
    expect(c.token).toBe('sg_link');
    expect(a.adoptFromLocation({ pathname: '/map', search: '', hash: '' })).toBeNull();
  });

  it('ignores messages it does not understand and answers with a token only to a tab without one', async () => {
    const b = bus();
    const a = tab(b);
    a.signIn('kept');
    const raw = b.join();
    raw.postMessage({ type: 'token', token: 'stolen' });
    raw.postMessage({ nonsense: true } as unknown as SessionMessage);
    await settle();
    expect(a.token).toBe('kept');
  });
});
