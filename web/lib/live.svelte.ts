import type { ChangeEvent, HealthSnapshot, ServerMessage } from './types.ts';
import { afterClose, afterError, type SignOutReason } from './live-close.ts';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** Reconnect delays: quick at first, then no more than every 15 s. */
export function backoffMs(attempt: number): number {
  return Math.min(15_000, 500 * 2 ** Math.min(attempt, 5));
}

/**
 * The live change feed over ws. A reconnect names the last sequence it applied (`since`), and the server
 * replays what it missed before any live change; when the server will not replay that far it says
 * `resync` and the owner reloads what it shows, as when the server's log is behind what it applied
 * (a store restored from a backup).
 */
export class LiveFeed {
  status = $state<LiveStatus>('connecting');
  seq = $state(0);
  lastEventAt = $state<string | null>(null);
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly token: string,
    private readonly handlers: {
      onChange(e: ChangeEvent): void; onResync(): void; onHealth?(s: HealthSnapshot): void;
      /** The server refused the token (revoked, expired): the tab signs out, saying why. */
      onRefused?(reason: SignOutReason): void;
    },
    private readonly url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/events`,
  ) {
    this.connect();
  }

  private connect() {
    if (this.closed) return;
    const since = this.seq > 0 ? `&since=${this.seq}` : '';
    const ws = new WebSocket(`${this.url}?token=${encodeURIComponent(this.token)}${since}`);
    this.ws = ws;
    ws.onmessage = (m) => this.receive(m.data);
    ws.onclose = (e) => {
      if (this.ws !== ws || this.closed) return;
      // Refused for its token: reconnecting with the same one cannot help.
      const next = afterClose(e.code, e.reason);
      if (!next.reconnect) { this.refused(next.signOut); return; }
      this.status = 'reconnecting';
      this.timer = setTimeout(() => this.connect(), backoffMs(this.attempt++));
    };
    ws.onerror = () => ws.close();
  }

  private receive(raw: unknown) {
    let msg: ServerMessage;
    try { msg = JSON.parse(String(raw)) as ServerMessage; } catch { return; }
    switch (msg.type) {
      case 'hello':
        this.status = 'live';
        this.attempt = 0;
        // Behind what this tab applied: the server's log starts over (restored); its sequences would read as old.
        if (this.seq > msg.seq) { this.seq = msg.seq; this.handlers.onResync(); }
        else if (this.seq === 0) this.seq = msg.seq;
        break;
      case 'change':
        if (msg.event.seq <= this.seq) break; // replayed twice after a reconnect
        this.seq = msg.event.seq;
        this.lastEventAt = msg.event.at;
        this.handlers.onChange(msg.event);
        break;
      case 'health':
        this.handlers.onHealth?.(msg.snapshot);
        break;
      case 'resync':
        this.seq = msg.seq;
        this.handlers.onResync();
        break;
      case 'error': {
        const reason = afterError(msg.code);
        if (reason) this.refused(reason);
        break;
      }
    }
  }

  private refused(reason: SignOutReason) {
    if (this.closed) return;
    this.status = 'offline';
    this.close();
    this.handlers.onRefused?.(reason);
  }

  /** Drop the socket and connect again now (the indicator's button). */
  reconnect() {
    if (this.timer) clearTimeout(this.timer);
    this.closed = false;
    const old = this.ws;
    this.ws = null;
    old?.close();
    this.status = 'connecting';
    this.attempt = 0;
    this.connect();
  }

  close() {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
  }
}
