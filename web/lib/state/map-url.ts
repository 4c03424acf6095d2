import { ciClasses } from '../../../server/model/classes.ts';

/**
 * The map's state in its URL, `/map?focus=<id>[,<id>]&depth=&direction=&classes=&layout=&asOf=`, so a
 * map survives a reload and works pasted into another tab. The one place that reads and writes it:
 * the router's query on `/map` and `/cis/:id`, followed both ways by `followMapRoute` (map-route.svelte.ts).
 */
export interface MapUrlState {
  focus: string[];
  depth: number;
  direction: 'upstream' | 'downstream' | 'both';
  classes: string[];
  layout: 'layered' | 'force';
  asOf: string | null;
}

export const MAP_PATH = '/map';
const DIRECTIONS = new Set(['upstream', 'downstream', 'both']);
const LAYOUTS = new Set(['layered', 'force']);

/** What a URL's query says of the map; anything malformed is left out (the map keeps its default). */
export function parseMapUrl(search: string): Partial<MapUrlState> {
  const q = new URLSearchParams(search);
  const out: Partial<MapUrlState> = {};
  const focus = q.get('focus')?.split(',').map((s) => s.trim()).filter((s) => /^[\w:.|-]{1,100}$/.test(s));
  if (focus?.length) out.focus = focus.slice(0, 100);
  const depth = Number(q.get('depth'));
  if (q.has('depth') && Number.isInteger(depth) && depth >= 1 && depth <= 8) out.depth = depth;
  const direction = q.get('direction');
  if (direction && DIRECTIONS.has(direction)) out.direction = direction as MapUrlState['direction'];
  const classes = q.get('classes')?.split(',').filter((c) => ciClasses.has(c));
  if (classes?.length) out.classes = classes;
  const layout = q.get('layout');
  if (layout && LAYOUTS.has(layout)) out.layout = layout as MapUrlState['layout'];
  const asOf = q.get('asOf');
  if (asOf && Number.isFinite(Date.parse(asOf))) out.asOf = new Date(asOf).toISOString();
  return out;
}

/** The URL of a map state; defaults are left out so that links stay short. */
export function mapUrl(s: MapUrlState): string {
  const text = mapQuery(s);
  return text ? `${MAP_PATH}?${text}` : MAP_PATH;
}

/** A URL's map state with the defaults filled in (what the map shows for it). */
export function mapUrlState(search: string, fallbackFocus: string[] = []): MapUrlState {
  const p = parseMapUrl(search);
  return {
    focus: p.focus ?? fallbackFocus, depth: p.depth ?? 2, direction: p.direction ?? 'both',
    classes: p.classes ?? [], layout: p.layout ?? 'layered', asOf: p.asOf ?? null,
  };
}

/** The query string (no `?`) of a map state, shared by `/map` and `/cis/:id` (the map behind a CI). */
export function mapQuery(s: MapUrlState): string {
  const q = new URLSearchParams();
  if (s.focus.length) q.set('focus', s.focus.join(','));
  if (s.focus.length && s.depth !== 2) q.set('depth', String(s.depth));
  if (s.focus.length && s.direction !== 'both') q.set('direction', s.direction);
  if (s.classes.length) q.set('classes', s.classes.join(','));
  if (s.layout !== 'layered') q.set('layout', s.layout);
  if (s.asOf) q.set('asOf', s.asOf);
  return q.toString().replace(/%2C/g, ',').replace(/%3A/g, ':');
}
