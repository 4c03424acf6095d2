/**
 * The sign-in token lives in sessionStorage (per tab, gone when the tab closes). The server's
 * start-up line and the CLI print `/#token=...` links: the fragment never reaches the server's
 * logs, and we take it once and drop it from the address bar so it is not bookmarked or shared.
 */
export const TOKEN_KEY = 'servicegraph.token';

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The token in a `#token=...` fragment (other fragment parameters are kept), or null. */
export function tokenFromHash(hash: string): { token: string | null; rest: string } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token');
  params.delete('token');
  const rest = params.toString();
  return { token: token && token.trim() ? token.trim() : null, rest: rest ? `#${rest}` : '' };
}

export class TokenStore {
  constructor(private readonly storage: KeyValueStorage) {}

  get(): string | null {
    return this.storage.getItem(TOKEN_KEY);
  }

  set(token: string): void {
    this.storage.setItem(TOKEN_KEY, token.trim());
  }

  clear(): void {
    this.storage.removeItem(TOKEN_KEY);
  }

  /**
   * Takes a token from the URL fragment if there is one (it wins over a stored one: the link was
   * opened on purpose) and returns the address to put back in the bar without it, or null when the
   * address does not need changing.
   */
  adoptFromLocation(location: { pathname: string; search: string; hash: string }): string | null {
    const { token, rest } = tokenFromHash(location.hash);
    if (!token) return null;
    this.set(token);
    return `${location.pathname}${location.search}${rest}`;
  }
}
