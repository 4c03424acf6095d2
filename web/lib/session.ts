import { tokenFromHash, type TokenStore } from './auth.ts';
import { signOutReasons, type SignOutReason } from './live-close.ts';

/** What tabs of one browser say to each other about the sign-in (same origin only). */
export type SessionMessage =
  | { type: 'ask' }
  | { type: 'token'; token: string }
  | { type: 'signin'; token: string }
  | { type: 'signout'; reason?: SignOutReason | null };

export interface Channel {
  postMessage(m: SessionMessage): void;
  addEventListener(type: 'message', fn: (e: { data: unknown }) => void): void;
  removeEventListener(type: 'message', fn: (e: { data: unknown }) => void): void;
  close?(): void;
}

export const SESSION_CHANNEL = 'servicegraph.session';
/** How long a new tab waits for an open one to hand it the token before showing the sign-in form. */
export const ASK_TIMEOUT_MS = 300;

const isMessage = (d: unknown): d is SessionMessage => typeof d === 'object' && d !== null && typeof (d as { type?: unknown }).type === 'string';

/**
 * One sign-in serves every tab of the browser, without the token ever being written to disk:
 * each tab keeps it in its sessionStorage (survives a reload, gone with the tab), a new tab asks the
 * open ones for it over a BroadcastChannel, and a sign-in or sign-out in any tab is announced to all.
 * When the last tab closes, the token is gone from the browser (unlike localStorage).
 */
export class Session {
  private readonly listeners = new Set<(token: string | null) => void>();
  private readonly onMessage = (e: { data: unknown }) => this.receive(e.data);

  constructor(private readonly tokens: TokenStore, private readonly channel: Channel | null) {
    channel?.addEventListener('message', this.onMessage);
  }

  get token(): string | null { return this.tokens.get(); }
  /** Why this tab was last signed out without asking (null: it asked, or it is signed in). */
  reason: SignOutReason | null = null;

  /** Called with the new token (or null) when another tab signs in or out, or a link signs this one in. */
  subscribe(fn: (token: string | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** This tab's token, else one an open tab hands over within `timeoutMs`, else null. */
  async initial(timeoutMs = ASK_TIMEOUT_MS): Promise<string | null> {
    const own = this.tokens.get();
    if (own || !this.channel) return own;
    return new Promise((resolve) => {
      const done = (t: string | null) => { clearTimeout(timer); unsubscribe(); resolve(t); };
      const unsubscribe = this.subscribe((t) => done(t));
      const timer = setTimeout(() => done(this.tokens.get()), timeoutMs);
      this.channel!.postMessage({ type: 'ask' });
    });
  }

  signIn(token: string): void {
    this.reason = null;
    this.tokens.set(token);
    this.channel?.postMessage({ type: 'signin', token: token.trim() });
    this.emit(this.tokens.get());
  }

  /** Sign every tab out; `reason` when the server refused the token (every tab shows it). */
  signOut(reason: SignOutReason | null = null): void {
    this.reason = reason;
    this.tokens.clear();
    this.channel?.postMessage({ type: 'signout', reason });
    this.emit(null);
  }

  /**
   * A `#token=` link, opened in a new tab or pasted into this one (hashchange): signs every tab in.
   * Returns the address without the token (to replace in the bar), or null when there was none.
   */
  adoptFromLocation(location: { pathname: string; search: string; hash: string }): string | null {
    const { token, rest } = tokenFromHash(location.hash);
    if (!token) return null;
    if (token !== this.tokens.get()) this.signIn(token);
    return `${location.pathname}${location.search}${rest}`;
  }

  private receive(data: unknown) {
    if (!isMessage(data)) return;
    switch (data.type) {
      case 'ask': {
        const t = this.tokens.get();
        if (t) this.channel?.postMessage({ type: 'token', token: t });
        break;
      }
      case 'token':
        // An answer to a tab that asked: only a tab without a token takes it.
        if (!this.tokens.get() && typeof data.token === 'string' && data.token) { this.reason = null; this.tokens.set(data.token); this.emit(this.tokens.get()); }
        break;
      case 'signin':
        if (typeof data.token === 'string' && data.token && data.token !== this.tokens.get()) { this.reason = null; this.tokens.set(data.token); this.emit(this.tokens.get()); }
        break;
      case 'signout':
        if (this.tokens.get()) {
          this.reason = typeof data.reason === 'string' && signOutReasons.has(data.reason) ? data.reason as SignOutReason : null;
          this.tokens.clear();
          this.emit(null);
        }
        break;
    }
  }

  private emit(token: string | null) {
    for (const fn of [...this.listeners]) fn(token);
  }

  close(): void {
    this.channel?.removeEventListener('message', this.onMessage);
    this.channel?.close?.();
  }
}
