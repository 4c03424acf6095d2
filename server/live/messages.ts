import type { ChangeEvent } from '../model/records.ts';
import type { HealthSnapshot } from '../model/alerts.ts';

/**
 * The one map of live messages shared by the ws hub and the web client.
 * Server → client: `hello` on connect (the latest sequence), then every committed `change` in order;
 * `resync` when the client asked for a sequence the server no longer holds in memory.
 * Client → server: `auth` (when the token was not in the URL), `since` to resume after a reconnect.
 */
export interface ServerMessages {
  hello: { type: 'hello'; seq: number; role: string };
  change: { type: 'change'; event: ChangeEvent };
  resync: { type: 'resync'; seq: number; reason: string };
  error: { type: 'error'; code: string; message: string };
  /** Live health from alerts: the alerting CIs and the dependents they take down or degrade (after each change). */
  health: { type: 'health'; snapshot: HealthSnapshot };
}
export type ServerMessage = ServerMessages[keyof ServerMessages];

export interface ClientMessages {
  auth: { type: 'auth'; token: string };
  since: { type: 'since'; seq: number };
}
export type ClientMessage = ClientMessages[keyof ClientMessages];
