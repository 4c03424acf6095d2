import { describe, expect, it } from 'vitest';
import { TOKEN_KEY, TokenStore, tokenFromHash } from '../../web/lib/auth.ts';

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m };
}

describe('sign-in token handling', () => {
  it('takes the token from a #token= fragment and keeps the other fragment parameters', () => {
    expect(tokenFromHash('#token=abc123')).toEqual({ token: 'abc123', rest: '' });
    expect(tokenFromHash('#view=impact&token=abc')).toEqual({ token: 'abc', rest: '#view=impact' });
    expect(tokenFromHash('')).toEqual({ token: null, rest: '' });
    expect(tokenFromHash('#token=')).toEqual({ token: null, rest: '' });
  });

  it('stores a fragment token in session storage and returns the address without it', () => {
    const storage = memoryStorage();
    const tokens = new TokenStore(storage);
    const cleaned = tokens.adoptFromLocation({ pathname: '/', search: '?x=1', hash: '#token=sg_abc' });
    expect(cleaned).toBe('/?x=1');
    expect(storage.m.get(TOKEN_KEY)).toBe('sg_abc');
    expect(tokens.get()).toBe('sg_abc');
  });

  it('leaves the address and a stored token alone when there is no fragment token', () => {
    const storage = memoryStorage();
    const tokens = new TokenStore(storage);
    tokens.set('kept');
    expect(tokens.adoptFromLocation({ pathname: '/', search: '', hash: '#other=1' })).toBeNull();
    expect(tokens.get()).toBe('kept');
  });

  it('a fragment token replaces a stored one: the link was opened on purpose', () => {
    const tokens = new TokenStore(memoryStorage());
    tokens.set('old');
    tokens.adoptFromLocation({ pathname: '/', search: '', hash: '#token=new' });
    expect(tokens.get()).toBe('new');
  });

  it('signing out forgets the token', () => {
    const tokens = new TokenStore(memoryStorage());
    tokens.set(' spaced ');
    expect(tokens.get()).toBe('spaced');
    tokens.clear();
    expect(tokens.get()).toBeNull();
  });
});
