import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { GraphStore } from '../store/port.ts';
import type { ChangeFeed } from './change-feed.ts';
import type { ChangeEvent, TokenInfo } from '../model/records.ts';
import { LIVE_CLOSE_UNAUTHENTICATED, liveErrors, type ClientMessage, type ServerMessage } from '../model/live.ts';
import { tokenValidAt, type TokenAuth } from '../api/auth.ts';
import { Backoff } from './supervision.ts';
import { inTurns } from './turns.ts';

const MAX_BUFFERED = 8 * 1024 * 1024;
/** Events of up to this many changes are serialised in one go; larger ones a turn of at most SERIALISE_TURN_MS at a time. */
const SERIALISE_AT_ONCE = 500;
const SERIALISE_TURN_MS = 20;
/** Stands for the changes while the rest of a large event's message is serialised (no change event holds it). */
const CHANGES_PLACEHOLDER = 'sg\u0000changes';

/**
 * A replay (a reconnecting client's `since`) sends at most this many changes, read REPLAY_PAGE events at a time; a
 * client further behind is told to resync (reload what it shows) instead: a replay of the 1,000 events the log was
 * read for before could be 1,000 batches of 10,000 CIs, gigabytes read and queued for one socket.
 */
export const MAX_REPLAY_CHANGES = 20_000;
const REPLAY_PAGE = 50;

interface Client {
  ws: WebSocket; principal: TokenInfo | null; lastSeq: number;
  /** While its replay runs, broadcasts pass it by: the replay sends them, in order, once it reaches them. */
  replaying: boolean;
  /** No longer counted as waiting to authenticate (signed in, or gone). */
  settle(): void;
}

/** Bounds on connections that have not authenticated yet (config.ts, SERVICEGRAPH_LIVE_*). */
export interface PendingLimits { pendingMax: number; pendingPerAddress: number; authDeadlineMs: number }
const defaultPending: PendingLimits = { pendingMax: 256, pendingPerAddress: 16, authDeadlineMs: 10_000 };
/** RFC 6455's "try again later": the server is at its bound of connections waiting to sign in. */
export const LIVE_CLOSE_TRY_LATER = 1013;

/** How often open connections are checked against the store's tokens (revoked by another API worker, expired). */
const RECHECK_MS = 5_000;

/**
 * Streams committed change events to signed-in viewers, in sequence order. A client that falls too
 * far behind is told to resync rather than buffered without bound.
 */
export class WsHub {
  private wss: WebSocketServer;
  private clients = new Set<Client>();
  private unsubscribe: () => void;
  private recheckTimer: NodeJS.Timeout | null = null;
  private readonly recheckLoop = new Backoff('live token check', { baseMs: RECHECK_MS, maxMs: 60_000 });

  /** Connections not authenticated yet, in all and per remote address. */
  private pending = 0;
  private pendingFrom = new Map<string, number>();

  constructor(server: Server, private store: GraphStore, private feed: ChangeFeed, private tokens: Pick<TokenAuth, 'resolve'>, limits: Partial<PendingLimits> = {}, path = '/api/v1/events') {
    const bounds = { ...defaultPending, ...limits };
    this.wss = new WebSocketServer({ server, path, maxPayload: 64 * 1024 });
    // The HTTP server's own errors (a taken port at listen) reach whoever started it; the hub's copy of
    // them must not become an unhandled 'error' event that ends the process.
    this.wss.on('error', () => {});
    this.wss.on('connection', (ws, req) => {
      const address = req.socket.remoteAddress ?? '';
      const from = this.pendingFrom.get(address) ?? 0;
      // Each socket waiting to sign in holds memory and a timer: past the bounds, closed before anything is read.
      if (this.pending >= bounds.pendingMax || from >= bounds.pendingPerAddress) {
        ws.close(LIVE_CLOSE_TRY_LATER, this.pending >= bounds.pendingMax ? 'too many connections waiting to authenticate' : 'too many connections waiting to authenticate from this address');
        return;
      }
      this.pending++;
      this.pendingFrom.set(address, from + 1);
      let counted = true;
      const settle = () => {
        if (!counted) return;
        counted = false;
        this.pending--;
        const n = (this.pendingFrom.get(address) ?? 1) - 1;
        if (n > 0) this.pendingFrom.set(address, n); else this.pendingFrom.delete(address);
      };
      const client: Client = { ws, principal: null, lastSeq: feed.position, replaying: false, settle };
      const params = new URL(req.url ?? '', 'http://x').searchParams;
      const token = params.get('token');
      // A reconnecting client names the last sequence it applied: the replay comes right after its hello.
      const since = Number(params.get('since') ?? NaN);
      const timer = setTimeout(() => {
        if (!client.principal) ws.close(LIVE_CLOSE_UNAUTHENTICATED, `authenticate within ${bounds.authDeadlineMs / 1000} s`);
      }, bounds.authDeadlineMs);
      ws.on('close', () => { clearTimeout(timer); settle(); this.clients.delete(client); });
      ws.on('message', (data) => this.guard(client, this.onMessage(client, String(data))));
      ws.on('error', () => ws.terminate());
      if (token) this.guard(client, this.authenticate(client, token, Number.isSafeInteger(since) ? since : null));
    });
    this.unsubscribe = feed.subscribe((e) => this.broadcast(e));
    this.scheduleRecheck();
  }

  /** Supervised: a failing store read is retried with backoff and reported, never an unhandled rejection. */
  private scheduleRecheck() {
    this.recheckTimer = setTimeout(() => {
      this.recheck().then(() => this.recheckLoop.succeeded(), (e: unknown) => this.recheckLoop.failed((e as Error)?.message ?? String(e)))
        .finally(() => { if (this.recheckTimer) this.scheduleRecheck(); });
    }, this.recheckLoop.delayMs());
    // Background bookkeeping alone does not keep the process alive.
    this.recheckTimer.unref();
  }

  /** Ends the connections whose token is gone (revoked, here or by another API worker) or has expired. */
  private async recheck() {
    if (!this.clients.size) return;
    const valid = new Map((await this.store.listTokens()).map((t) => [t.id, t]));
    const now = Date.now();
    for (const c of this.clients) {
      const t = c.principal ? valid.get(c.principal.id) : undefined;
      if (!t) this.end(c, 'revoked', 'this token was revoked');
      else if (!tokenValidAt(t, now)) this.end(c, 'unauthenticated', 'this token has expired');
    }
  }

  /** A revoked token's connections end now, told why (the UI then stops reconnecting). */
  closeToken(id: string): void {
    for (const c of this.clients) if (c.principal?.id === id) this.end(c, 'revoked', 'this token was revoked');
  }

  private end(c: Client, code: 'revoked' | 'unauthenticated', message: string) {
    this.send(c, { type: 'error', code, message });
    c.ws.close(liveErrors[code].close, code);
    this.clients.delete(c);
  }

  /** The token check's state, for /healthz. */
  get loopStatus() { return this.recheckLoop.status(); }

  /**
   * A store read failing for one client (authentication, a replay) must not become an unhandled rejection
   * that ends the process: that client is told and disconnected, and reconnects with backoff.
   */
  private guard(c: Client, work: Promise<void>): void {
    work.catch((e: unknown) => {
      console.error(`ws hub: ${(e as Error)?.message ?? e}; closing that connection`);
      this.send(c, { type: 'error', code: 'unavailable', message: 'the server could not read the store; reconnect' });
      c.ws.close(1011, 'store unavailable');
    });
  }

  private send(c: Client, m: ServerMessage) {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(m));
  }

  private async authenticate(c: Client, token: string, since: number | null = null) {
    const info = await this.tokens.resolve(token);
    if (!info || info.role === 'collector') {
      this.send(c, { type: 'error', code: 'unauthenticated', message: info ? 'a collector token cannot watch events' : 'unknown, revoked or expired token' });
      c.ws.close(LIVE_CLOSE_UNAUTHENTICATED, 'unauthenticated');
      return;
    }
    c.principal = info;
    c.settle();
    c.lastSeq = this.feed.position;
    this.clients.add(c);
    this.send(c, { type: 'hello', seq: c.lastSeq, role: info.role });
    if (since !== null) await this.replay(c, since);
  }

  private async onMessage(c: Client, raw: string) {
    let msg: Partial<ClientMessage> | null;
    try { msg = JSON.parse(raw); } catch { msg = null; }
    // `null`, `1` or `[]` parse too: nothing to read a type from.
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) { this.send(c, { type: 'error', code: 'invalid_json', message: 'messages are JSON objects' }); return; }
    if (msg.type === 'auth' && typeof msg.token === 'string') { await this.authenticate(c, msg.token, Number.isSafeInteger(msg.since) ? msg.since! : null); return; }
    if (msg.type === 'since' && c.principal && Number.isSafeInteger(msg.seq)) await this.replay(c, msg.seq!);
  }

  /**
   * What the client missed after `since`, from the durable log, in order and up to the live stream: broadcasts pass
   * the client by meanwhile, and it rejoins them in the turn the replay reaches the feed's position. One replay at a
   * time per client (another `since` meanwhile is dropped); past MAX_REPLAY_CHANGES changes, or once MAX_BUFFERED
   * bytes wait for the socket, the client is told to resync from the current position instead.
   */
  private async replay(c: Client, since: number) {
    if (c.replaying) return;
    c.replaying = true;
    let at = Math.max(0, since), changes = 0;
    try {
      for (;;) {
        const upTo = this.feed.position;
        if (at >= upTo) break;
        const page = await this.store.eventsSince(at, REPLAY_PAGE);
        if (c.ws.readyState !== c.ws.OPEN) return;
        for (const e of page) {
          if (e.seq > upTo) break;
          changes += e.changes.length;
          if (changes > MAX_REPLAY_CHANGES || c.ws.bufferedAmount > MAX_BUFFERED) {
            at = this.feed.position;
            this.send(c, { type: 'resync', seq: at, reason: 'too many changes missed; reload what is shown' });
            return;
          }
          this.send(c, { type: 'change', event: e });
          at = e.seq;
        }
        // The log ends before the position the feed said (a store restored behind it): nothing more to send.
        if (page.length === 0) { at = upTo; break; }
      }
    } finally {
      // Synchronously after the last check against the feed's position: no broadcast falls between.
      c.lastSeq = Math.max(at, c.lastSeq);
      c.replaying = false;
    }
  }

  /** A large event is serialised over several turns (changeMessage), then sent to every client at once. */
  private broadcast(e: ChangeEvent): Promise<void> | undefined {
    if (!this.clients.size) return;
    const text = changeMessage(e);
    if (typeof text === 'string') return this.sendChange(e, text);
    return text.then((t) => this.sendChange(e, t));
  }

  private sendChange(e: ChangeEvent, text: string): undefined {
    for (const c of this.clients) {
      if (e.seq <= c.lastSeq || c.replaying) continue;
      if (c.ws.bufferedAmount > MAX_BUFFERED) {
        this.send(c, { type: 'resync', seq: e.seq, reason: 'client too slow' });
      } else if (c.ws.readyState === c.ws.OPEN) c.ws.send(text);
      c.lastSeq = e.seq;
    }
    return undefined;
  }

  /** A message that is not a change event (live health): to every signed-in client now. */
  publish(m: ServerMessage): void {
    const text = JSON.stringify(m);
    for (const c of this.clients) if (c.ws.readyState === c.ws.OPEN && c.ws.bufferedAmount <= MAX_BUFFERED) c.ws.send(text);
  }

  get connections(): number { return this.clients.size; }

  close(): Promise<void> {
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    this.recheckTimer = null;
    this.unsubscribe();
    for (const c of this.clients) c.ws.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

/**
 * The live message of a change event, exactly as `JSON.stringify({ type: 'change', event })` writes it: at once for
 * an event of up to SERIALISE_AT_ONCE changes, else its changes a turn of at most SERIALISE_TURN_MS at a time (a
 * 10k-CI batch is megabytes of JSON), spliced in where a placeholder stood.
 */
export function changeMessage(e: ChangeEvent, turnMs = SERIALISE_TURN_MS): string | Promise<string> {
  if (e.changes.length <= SERIALISE_AT_ONCE) return JSON.stringify({ type: 'change', event: e } satisfies ServerMessage);
  const pieces: string[] = [];
  const pending = inTurns(e.changes, (c) => { pieces.push(JSON.stringify(c)); }, turnMs);
  // The key with its value: quotes inside a string are escaped, so only the event's own key can read so.
  const slot = `"changes":${JSON.stringify(CHANGES_PLACEHOLDER)}`;
  const message = () => JSON.stringify({ type: 'change', event: { ...e, changes: CHANGES_PLACEHOLDER } })
    .replace(slot, () => `"changes":[${pieces.join(',')}]`);
  return pending ? pending.then(message) : message();
}
