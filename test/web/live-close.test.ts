import { describe, expect, it } from 'vitest';
import { afterClose, afterError } from '../../web/lib/live-close.ts';
import { LIVE_CLOSE_UNAUTHENTICATED } from '../../server/model/live.ts';

describe('the live feed after its socket closes', () => {
  it('does not reconnect with a token the server refused: the tab signs out, saying why', () => {
    expect(afterClose(LIVE_CLOSE_UNAUTHENTICATED, 'revoked')).toEqual({ reconnect: false, signOut: 'revoked' });
    expect(afterClose(LIVE_CLOSE_UNAUTHENTICATED, 'unauthenticated')).toEqual({ reconnect: false, signOut: 'rejected' });
    expect(afterClose(LIVE_CLOSE_UNAUTHENTICATED, '')).toEqual({ reconnect: false, signOut: 'rejected' });
  });

  it('reconnects after anything else: a restart, a dropped network, a store it could not read', () => {
    for (const code of [1000, 1001, 1006, 1011, 1012]) expect(afterClose(code, '')).toEqual({ reconnect: true });
  });

  it("reads the server's error message that comes just before the close the same way", () => {
    expect(afterError('revoked')).toBe('revoked');
    expect(afterError('unauthenticated')).toBe('rejected');
    expect(afterError('unavailable')).toBeNull();
    expect(afterError('invalid_json')).toBeNull();
    expect(afterError('constructor')).toBeNull();
  });
});
