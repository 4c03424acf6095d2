import { untrack } from 'svelte';
import type { Router } from '../routing/router.svelte.ts';
import { routePath, type Route } from '../routing/routes.ts';
import type { MapState } from './map-state.svelte.ts';
import { MAP_PATH, mapQuery, mapUrlState, type MapImpact, type MapUrlState } from './map-url.ts';
import type { ImpactMapRequest } from '../types.ts';

/** The part of the map's state its URL carries. */
export function mapUrlOf(map: MapState): MapUrlState {
  return {
    focus: map.focus, depth: Number(map.depth) || 2, direction: map.direction,
    classes: map.classes, layout: map.layout, asOf: map.asOf, impact: impactOf(map.blastRadius),
  };
}

function impactOf(req: ImpactMapRequest | null): MapImpact | null {
  if (!req) return null;
  return 'change' in req ? { change: req.change } : { failed: req.failed.map(({ ci, state }) => ({ ci, state })) };
}

/** The blast-radius request an address names (failed CIs are judged at the map's `asOf`, a change as it will be implemented). */
function requestOf(s: MapUrlState): ImpactMapRequest | null {
  if (!s.impact) return null;
  if ('change' in s.impact) return { change: s.impact.change };
  return s.asOf ? { failed: s.impact.failed, asOf: s.asOf } : { failed: s.impact.failed };
}

const onMap = (r: Route): r is { name: 'map' } | { name: 'ci'; id: string } => r.name === 'map' || r.name === 'ci';

function apply(map: MapState, s: MapUrlState) {
  map.blastRadius = requestOf(s);
  map.focus = s.focus;
  map.depth = s.depth;
  map.direction = s.direction;
  map.classes = s.classes;
  map.layout = s.layout;
  map.asOf = s.asOf;
}

/**
 * Keeps the map and the router's address in step, both ways, on `/map?…` and `/cis/:id?…` (the map
 * behind a selected CI keeps the same query). The address wins when it changes (a link, back/forward,
 * a reload); the map writes its state into the address after each load, replacing the entry. A CI
 * picked on the map gets its own address; closing it goes back to `/map` with the same query. A bare
 * `/cis/:id` centres the map on that CI. A CI's details show on the page it was picked on (`detailsHere`).
 *
 * Call once while a component initialises (it sets up effects); returns what to call to close the CI.
 */
export function followMapRoute(map: MapState, router: Router): { closeCi(): void; readonly detailsHere: boolean } {
  const want = (r: Route, search: string) => mapUrlState(search, r.name === 'ci' ? [r.id] : []);

  // The address as the page opened, before the first load.
  const first = router.route;
  if (onMap(first)) {
    apply(map, want(first, router.search));
    if (first.name === 'ci') map.selected = first.id;
  }

  // The address changed (a link, back/forward): follow it when it names another map or another CI.
  // On the map, the selection is its address's (`/cis/:id`): a map address that names no CI has none.
  $effect(() => {
    const r = router.route;
    const search = router.search;
    if (!onMap(r)) return;
    untrack(() => {
      const s = want(r, search);
      if (mapQuery(s) !== mapQuery(mapUrlOf(map))) {
        apply(map, s);
        map.selected = r.name === 'ci' ? r.id : null;
        void map.load();
      } else if (r.name === 'ci' && map.selected !== r.id) {
        if (map.nodeById.has(r.id)) map.selected = r.id;
        else void map.focusOn([r.id]);
      } else if (r.name === 'map' && map.selected) {
        map.selected = null;
      }
    });
  });

  // After each load the address names the map shown (not a half-edited form).
  $effect(() => {
    void map.epoch;
    untrack(() => {
      const r = router.route;
      if (!onMap(r)) return;
      const q = mapQuery(mapUrlOf(map));
      if (router.search.replace(/^\?/, '') !== q) router.navigate(`${router.path}${q ? `?${q}` : ''}${location.hash}`, { replace: true });
    });
  });

  // The page a CI was picked on: its details show there only. The map beside every view keeps the CI
  // highlighted (the Impact view offers to mark it down), but another page is not about it.
  let pickedOn = $state<string | null>(onMap(first) ? MAP_PATH : router.path);
  const pageOf = (r: Route, path: string) => (onMap(r) ? MAP_PATH : path);

  // The CI picked on the map gets its address, so a reload or a pasted link shows it again.
  $effect(() => {
    const sel = map.selected;
    untrack(() => {
      const r = router.route;
      pickedOn = sel ? pageOf(r, router.path) : null;
      if (!onMap(r)) return;
      // The query of the map being shown, not the address's: a focus just picked (focusOn) may not have reached it yet.
      const q = mapQuery(mapUrlOf(map));
      const search = q ? `?${q}` : '';
      if (sel && !sel.startsWith('cg:') && !(r.name === 'ci' && r.id === sel)) {
        router.navigate(routePath({ name: 'ci', id: sel }) + search, { replace: r.name === 'ci' });
      } else if (!sel && r.name === 'ci') {
        router.navigate(MAP_PATH + search, { replace: true });
      }
    });
  });

  return {
    get detailsHere() { return !!map.selected && pickedOn === pageOf(router.route, router.path); },
    closeCi() {
      map.selected = null;
      if (router.route.name === 'ci') router.navigate(MAP_PATH + router.search);
    },
  };
}
