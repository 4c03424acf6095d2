import type { ChangeEvent } from './records.ts';
import type { HealthSnapshot } from './alerts.ts';

/**
 * The one map of live messages shared by the ws hub and the web client.
 * Server → client: `hello` on connect (the latest sequence), then every committed `change` in order;
 * `resync` when the client asked for a sequence the server no longer holds in memory.
 * Client → server: `auth` (when the token was not in the URL), `since` to resume after a reconnect. A reconnecting
 * client names the last sequence it applied when it connects (`?since=`, or `since` in `auth`): the server sends
 * `hello`, then what it missed, in order, before any live change (a `since` message after `hello` let live changes
 * overtake the replay, and the client then dropped the replayed ones as old).
 */
/**
 * Why the server refuses or ends a live connection: the `code` of an `error` message and, for the ones that
 * end it, the WebSocket close code sent with it. The UI stops reconnecting on `closesFor` codes.
 */
export const liveErrors = {
  /** No token, an unknown, revoked or expired one, or one whose role may not watch: reconnecting cannot help. */
  unauthenticated: { close: 4401 },
  /** The token was revoked while connected. */
  revoked: { close: 4401 },
  invalid_json: { close: null },
  /** The server could not read the store for this connection: reconnecting later may work. */
  unavailable: { close: 1011 },
} as const;
export type LiveErrorCode = keyof typeof liveErrors;
/** The close code after which a client must not reconnect with the same token. */
export const LIVE_CLOSE_UNAUTHENTICATED = liveErrors.unauthenticated.close;

export interface ServerMessages {
  hello: { type: 'hello'; seq: number; role: string };
  change: { type: 'change'; event: ChangeEvent };
  resync: { type: 'resync'; seq: number; reason: string };
  /** Live health from alerts: the alerting CIs and the dependents they take down or degrade (after each change). */
  health: { type: 'health'; snapshot: HealthSnapshot };
  error: { type: 'error'; code: LiveErrorCode; message: string };
}
export type ServerMessage = ServerMessages[keyof ServerMessages];

export interface ClientMessages {
  /** `since`: as the `since` query parameter, the last sequence the client applied (what it missed is replayed). */
  auth: { type: 'auth'; token: string; since?: number };
  since: { type: 'since'; seq: number };
}
export type ClientMessage = ClientMessages[keyof ClientMessages];
