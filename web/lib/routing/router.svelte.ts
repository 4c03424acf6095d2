import { isInAppClick, parseRoute, routePath, type Route } from './routes.ts';

export interface NavigateOptions {
  /** Replace the current history entry (a redirect, a filter typed in) instead of adding one. */
  replace?: boolean;
}

/**
 * The app's one router: the address bar is the state. Views read `route` and `query`, and move with
 * `navigate` or plain `<a href="/…">` links (clicks on them are handled here, without a reload).
 * Back and forward work through `popstate`.
 */
export class Router {
  path = $state('/');
  search = $state('');
  route: Route = $derived(parseRoute(this.path));
  query: URLSearchParams = $derived(new URLSearchParams(this.search));
  private readonly stops: (() => void)[] = [];

  constructor(private readonly win: Window = window) {
    this.read();
  }

  private read() {
    this.path = this.win.location.pathname;
    this.search = this.win.location.search;
  }

  /** Follow back/forward and in-app link clicks; returns a function that stops listening. */
  start(): () => void {
    const onPop = () => this.read();
    const onClick = (e: MouseEvent) => {
      const a = (e.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
      if (!a || !isInAppClick(e, a, this.win.location.origin)) return;
      e.preventDefault();
      const url = new URL(a.href);
      this.navigate(url.pathname + url.search + url.hash);
    };
    this.win.addEventListener('popstate', onPop);
    this.win.document.addEventListener('click', onClick);
    const stop = () => { this.win.removeEventListener('popstate', onPop); this.win.document.removeEventListener('click', onClick); };
    this.stops.push(stop);
    return stop;
  }

  /** Go to a path (with its query), or to a route. */
  navigate(to: string | Route, opts: NavigateOptions = {}): void {
    const target = typeof to === 'string' ? to : routePath(to);
    const url = new URL(target, this.win.location.href);
    const next = url.pathname + url.search + url.hash;
    const current = this.win.location.pathname + this.win.location.search + this.win.location.hash;
    if (next !== current) {
      if (opts.replace) this.win.history.replaceState(null, '', next);
      else this.win.history.pushState(null, '', next);
    }
    this.read();
    if (!opts.replace && url.pathname !== this.path) this.win.scrollTo?.(0, 0);
  }

  /**
   * Change some query parameters of the current path (null or '' removes one). Replaces the history
   * entry by default: a filter being edited should not fill the back button.
   */
  setQuery(params: Record<string, string | number | null | undefined>, opts: NavigateOptions = { replace: true }): void {
    const q = new URLSearchParams(this.search);
    for (const [k, v] of Object.entries(params)) {
      if (v === null || v === undefined || v === '') q.delete(k);
      else q.set(k, String(v));
    }
    const s = q.toString();
    this.navigate(`${this.path}${s ? `?${s}` : ''}`, opts);
  }

  /** The href of a route, for `<a href>`. */
  href(route: Route, query?: Record<string, string>): string {
    const q = query ? new URLSearchParams(query).toString() : '';
    return routePath(route) + (q ? `?${q}` : '');
  }

  dispose(): void {
    for (const s of this.stops.splice(0)) s();
  }
}
