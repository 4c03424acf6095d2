import { LIVE_CLOSE_UNAUTHENTICATED, liveErrors, type LiveErrorCode } from '../../server/model/live.ts';

/** Why a tab was signed out without asking: its token was revoked, or the server no longer accepts it (expired). */
export type SignOutReason = 'revoked' | 'rejected';
export const signOutReasons: ReadonlySet<string> = new Set<SignOutReason>(['revoked', 'rejected']);

/**
 * What the live feed does when its socket closes (code and reason as the server sent them): a token the
 * server refused (4401) cannot do better on a reconnect, so the tab is signed out and told why; anything
 * else (a restart, a network drop, 1011) is worth a reconnect with backoff.
 */
export function afterClose(code: number, reason: string): { reconnect: true } | { reconnect: false; signOut: SignOutReason } {
  if (code !== LIVE_CLOSE_UNAUTHENTICATED) return { reconnect: true };
  return { reconnect: false, signOut: reason === 'revoked' ? 'revoked' : 'rejected' };
}

/** The same for an `error` message that ends the connection (it comes just before the close). */
export function afterError(code: string): SignOutReason | null {
  const known = Object.hasOwn(liveErrors, code) ? liveErrors[code as LiveErrorCode] : undefined;
  if (known?.close !== LIVE_CLOSE_UNAUTHENTICATED) return null;
  return code === 'revoked' ? 'revoked' : 'rejected';
}
