/**
 * The UI's addresses: every view, CI, incident and change has a path that survives a reload and works
 * pasted into another tab (the server answers every non-API path with the app shell). Pure: parsed
 * and formatted here, followed by the Router (router.svelte.ts).
 *
 * View state that is not an identity (the map's focus and depth, list filters) lives in the query
 * string of the same path and belongs to the view that reads it.
 */
export type Route =
  | { name: 'map' }
  | { name: 'ci'; id: string }
  | { name: 'impact' }
  | { name: 'incidents' }
  | { name: 'incident'; id: string }
  | { name: 'changes' }
  | { name: 'new-change' }
  | { name: 'change'; id: string }
  | { name: 'calendar' }
  | { name: 'root-cause' }
  | { name: 'history' }
  | { name: 'now' }
  | { name: 'tokens' }
  | { name: 'not-found'; path: string };

export type RouteName = Route['name'];

/** Single-segment views, by their path segment. */
const VIEWS = {
  map: 'map', impact: 'impact', incidents: 'incidents', changes: 'changes', calendar: 'calendar',
  'root-cause': 'root-cause', history: 'history', now: 'now', tokens: 'tokens',
} as const satisfies Record<string, RouteName>;

/** Records with a page of their own, by their collection segment. */
const RECORDS = { cis: 'ci', incidents: 'incident', changes: 'change' } as const;

const decode = (s: string): string | null => {
  try { return decodeURIComponent(s); } catch { return null; }
};

/** The route of a pathname; `/` is the map. */
export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean);
  if (parts.length === 0) return { name: 'map' };
  if (parts.length === 1 && Object.hasOwn(VIEWS, parts[0])) return { name: VIEWS[parts[0] as keyof typeof VIEWS] };
  if (parts.length === 2 && parts[0] === 'changes' && parts[1] === 'new') return { name: 'new-change' };
  if (parts.length === 2 && Object.hasOwn(RECORDS, parts[0])) {
    const id = decode(parts[1]);
    if (id) return { name: RECORDS[parts[0] as keyof typeof RECORDS], id } as Route;
  }
  return { name: 'not-found', path: pathname };
}

/** The pathname of a route (the inverse of parseRoute). */
export function routePath(route: Route): string {
  switch (route.name) {
    case 'ci': return `/cis/${encodeURIComponent(route.id)}`;
    case 'incident': return `/incidents/${encodeURIComponent(route.id)}`;
    case 'change': return `/changes/${encodeURIComponent(route.id)}`;
    case 'new-change': return '/changes/new';
    case 'not-found': return route.path;
    default: return `/${route.name}`;
  }
}

/** Which top-level section a route belongs to (the highlighted item of the navigation). */
export function sectionOf(route: Route): RouteName {
  switch (route.name) {
    case 'ci': return 'map';
    case 'incident': return 'incidents';
    case 'change': case 'new-change': return 'changes';
    default: return route.name;
  }
}

/**
 * Whether a click on a link should be handled in the page instead of loading it: a plain left click
 * on a same-origin link to an app path, not meant for a new tab or a download.
 */
export function isInAppClick(
  e: { button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey: boolean; defaultPrevented: boolean },
  a: { href: string; target: string; hasAttribute(name: string): boolean },
  origin: string,
): boolean {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return false;
  if ((a.target && a.target !== '_self') || a.hasAttribute('download') || a.hasAttribute('data-external')) return false;
  let url: URL;
  try { url = new URL(a.href); } catch { return false; }
  if (url.origin !== origin) return false;
  // API links and the OTLP receiver are the server's, never the app's.
  return !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/v1/');
}
