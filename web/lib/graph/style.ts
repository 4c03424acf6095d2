import { classIcon, iconClasses } from './icons.ts';
/**
 * The map's look, as data. State is carried by classes (set in elements.ts) and each class has one
 * rule here, so "how does a degraded CI look" has one answer. Colours follow section 10 of the
 * design: down red, degraded amber, maintenance blue, stale/retired greyed.
 */
export const stateColours = {
  down: '#d62728',
  degraded: '#f0a202',
  maintenance: '#1f77b4',
  failed: '#7a0010',
  added: '#2ca02c',
  removed: '#8c8c8c',
  changed: '#9467bd',
  path: '#e4572e',
  blast: '#ff7f0e',
  candidate: '#c2185b',
  /** Rings of CIs with work on them: an open incident takes its state's colour, a change this one. */
  change: '#6a1b9a',
  stale: '#c8c8c8',
} as const;

export const layerColours: Record<string, string> = {
  business: '#3b5b92',
  application: '#4f7cac',
  software: '#5fa8d3',
  platform: '#62b6a1',
  infrastructure: '#8d99ae',
  organisation: '#b39ddb',
  group: '#dfe6ee',
};

/**
 * Monitoring edges (a status page polling a health endpoint) carry no impact: drawn in their own colour
 * with a hollow arrow, so nobody reads "webstatus needs basket-api" off the map.
 */
export const monitorsEdgeStyle = { color: '#8e6cc4', style: 'dotted' as const, arrow: 'vee' };

export const edgeStateStyle: Record<string, { color: string; style: 'solid' | 'dashed' | 'dotted'; width: number }> = {
  active: { color: '#2e7d32', style: 'solid', width: 2 },
  idle: { color: '#9e9d24', style: 'solid', width: 1.5 },
  inactive: { color: '#b0b0b0', style: 'dotted', width: 1 },
  declared: { color: '#7b8794', style: 'dashed', width: 1.2 },
};

/**
 * A transparent 1x1 image every node carries, drawn at zero width (drawInscribedImage returns at
 * once). Without one, Cytoscape 3.34's drawNode counts the "none" image as pending on one of its
 * two passes and toggles the node's :backgrounding state on each draw; that is a style change,
 * and any style change throws away the cached bitmap of the whole map (and makes the renderer
 * draw every element directly for the next 250 ms). So every node drawn into a texture for the
 * first time at a zoom level (the start of a pan or zoom) used to cost one full-map redraw.
 */
const BLANK_IMAGE = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

export interface StyleRule { selector: string; style: Record<string, string | number> }

export interface StyleOptions {
  /**
   * Large maps draw cheaper edges (haystack, no arrows), drop most labels, and let every press go
   * through the elements to the background, so that it pans: the node under a tap or the mouse is
   * found by the view itself (hit-test.ts), since Cytoscape marking a pressed node :active is a
   * style change that drops the cached bitmap of the map.
   */
  large: boolean;
  /**
   * Zoomed out below legible text, the labels that matter (focus, selected, tier 1-2, impacted, with
   * incidents or changes) are drawn this many times larger, so they stay readable while the rest
   * wait for the user to zoom in. 1: as designed.
   */
  labelScale?: number;
}

/** The CIs whose names a zoomed-out map keeps. */
export const KEPT_LABELS = [
  'node.focus', 'node.tier-1', 'node.tier-2', 'node:selected', 'node.impact-down', 'node.impact-degraded', 'node.failed-down', 'node.failed-degraded',
  'node.hit-down', 'node.hit-degraded', 'node.incident-down', 'node.incident-degraded', 'node.change-open', 'node.server-group',
].join(', ');

export function graphStyle({ large, labelScale = 1 }: StyleOptions): StyleRule[] {
  const rules: StyleRule[] = [
    {
      selector: 'node',
      style: {
        'background-color': '#5fa8d3',
        label: 'data(label)',
        'font-size': 10,
        'text-valign': 'bottom',
        'text-margin-y': 3,
        color: '#1d2733',
        'text-max-width': '100px',
        'text-wrap': 'ellipsis',
        width: 22,
        height: 22,
        'border-width': 1,
        'border-color': '#ffffff',
        // Text under 7 px on screen is noise, not a label: it is left out until the user zooms in.
        'min-zoomed-font-size': 7,
        // A halo keeps labels legible where they cross edges.
        'text-outline-color': '#fbfcfd',
        'text-outline-width': 2,
        'text-outline-opacity': 0.85,
        'background-image': BLANK_IMAGE,
        'background-width': 0,
      },
    },
    // Measuring and drawing 5,000 labels is most of a large map's draw time: there, only the CIs
    // that matter right now (selected, failed, on a highlighted path, candidates) are labelled.
    ...(large ? [{ selector: 'node', style: { label: '' } }] : []),
    ...(large ? [{ selector: 'node', style: { events: 'no' } }] : []),
    ...Object.entries(layerColours).map(([layer, colour]) => ({ selector: `node.layer-${layer}`, style: { 'background-color': colour } })),
    // Class icons inside the nodes; a large map keeps its blank image (5,000 icons cost more than they tell at that zoom).
    ...(large ? [] : iconClasses.map((cls): StyleRule => ({ selector: `node.cls-${cls}`, style: { 'background-image': classIcon(cls)!, 'background-width': '64%', 'background-height': '64%', 'background-fit': 'none' } }))),
    // The upper layers are the entry points, and few: their labels are larger, so they stay readable further out.
    { selector: 'node.layer-business', style: { shape: 'round-rectangle', width: 34, height: 22, 'font-size': 12 } },
    { selector: 'node.layer-application', style: { shape: 'round-rectangle', width: 28, height: 20, 'font-size': 12 } },
    { selector: 'node.layer-infrastructure', style: { shape: 'rectangle' } },
    { selector: 'node.layer-organisation', style: { shape: 'diamond' } },
    { selector: 'node.tier-1', style: { 'border-width': 3, 'border-color': '#1d2733' } },
    { selector: 'node.server-group', style: { shape: 'round-rectangle', width: 44, height: 30, 'border-style': 'double', 'border-width': 4, 'border-color': '#1d2733' } },
    {
      selector: 'node.compound',
      style: {
        'background-color': '#eef2f7', 'background-opacity': 0.6, 'border-color': '#9aa8b8', 'border-width': 1, 'border-style': 'dashed',
        shape: 'round-rectangle', 'text-valign': 'top', 'text-halign': 'center', 'font-weight': 'bold', 'font-size': 11, padding: '12px',
      },
    },
    { selector: 'node.compound.collapsed', style: { 'background-color': '#c9d6e3', 'background-opacity': 1, width: 44, height: 30, 'border-style': 'double', 'border-width': 4 } },
    { selector: 'node.retired', style: { opacity: 0.3 } },
    // Not seen by any source for N days: greyed, label too, whatever its layer.
    { selector: 'node.stale', style: { 'background-color': stateColours.stale, color: '#7a8591' } },
    { selector: 'node.new', style: { 'border-width': 4, 'border-color': stateColours.added } },
    {
      selector: 'edge',
      // A large map's edges take no clicks (nothing listens), so a press on one pans the map.
      style: large
        ? { 'curve-style': 'haystack', 'haystack-radius': 0, width: 1, 'line-color': '#b7c2cf', events: 'no' }
        : { 'curve-style': 'bezier', width: 1.2, 'line-color': '#9aa5b1', 'target-arrow-shape': 'triangle', 'target-arrow-color': '#9aa5b1', 'arrow-scale': 0.8 },
    },
    // Dashed and dotted lines are slow canvas paths; a large map keeps the colours and drops the dashes.
    ...Object.entries(edgeStateStyle).map(([state, s]): StyleRule => ({
      selector: `edge.edge-${state}`,
      style: large ? { 'line-color': s.color } : { 'line-color': s.color, 'target-arrow-color': s.color, 'line-style': s.style, width: s.width },
    })),
    { selector: 'edge.rel-OWNED_BY', style: { opacity: 0.35 } },
    {
      selector: 'edge.rel-MONITORS',
      style: large
        ? { 'line-color': monitorsEdgeStyle.color }
        : { 'line-color': monitorsEdgeStyle.color, 'target-arrow-color': monitorsEdgeStyle.color, 'target-arrow-shape': monitorsEdgeStyle.arrow, 'target-arrow-fill': 'hollow', 'line-style': monitorsEdgeStyle.style, width: 1.2 },
    },
    { selector: 'edge.merged', style: { width: 3 } },
    { selector: 'edge.retired', style: { opacity: 0.2 } },
    // Overlays come last so they win over the base look.
    // Live health from alerts, under the views' overlays (a view's explicit colouring wins): the
    // alerting CIs solid with a dark ring, the dependents they take with them paler.
    { selector: 'node.health-degraded', style: { 'background-color': stateColours.degraded, 'background-opacity': 0.5 } },
    { selector: 'node.health-down', style: { 'background-color': stateColours.down, 'background-opacity': 0.5 } },
    { selector: 'node.alert-degraded', style: { 'background-color': stateColours.degraded, 'border-color': stateColours.failed, 'border-width': 4 } },
    { selector: 'node.alert-down', style: { 'background-color': stateColours.down, 'border-color': stateColours.failed, 'border-width': 4 } },
    { selector: 'node.impact-degraded', style: { 'background-color': stateColours.degraded } },
    { selector: 'node.impact-down', style: { 'background-color': stateColours.down } },
    { selector: 'node.impact-maintenance', style: { 'background-color': stateColours.maintenance } },
    { selector: 'node.failed-down', style: { 'background-color': stateColours.failed, 'border-color': stateColours.down, 'border-width': 5 } },
    { selector: 'node.failed-degraded', style: { 'background-color': stateColours.degraded, 'border-color': stateColours.failed, 'border-width': 5 } },
    { selector: 'node.blast', style: { 'background-color': stateColours.blast } },
    { selector: 'node.touched', style: { 'border-color': stateColours.failed, 'border-width': 5 } },
    { selector: 'node.candidate', style: { 'background-color': stateColours.candidate, 'border-width': 5, 'border-color': '#1d2733' } },
    { selector: 'node.diff-added', style: { 'background-color': stateColours.added } },
    { selector: 'node.diff-removed', style: { 'background-color': stateColours.removed, opacity: 0.5 } },
    { selector: 'node.diff-changed', style: { 'background-color': stateColours.changed } },
    { selector: 'edge.diff-added', style: { 'line-color': stateColours.added, width: 3 } },
    { selector: 'edge.diff-removed', style: { 'line-color': stateColours.removed, 'line-style': 'dotted' } },
    { selector: 'node.path', style: { 'border-color': stateColours.path, 'border-width': 5, 'z-index': 10 } },
    { selector: 'edge.path', style: { 'line-color': stateColours.path, 'target-arrow-color': stateColours.path, width: 4, opacity: 1, 'z-index': 10 } },
    { selector: 'node.dimmed', style: { opacity: 0.25 } },
    // Dependents an open incident takes down or degrades: filled in its state's colour, thinner ring than the incident's own CI.
    { selector: 'node.hit-degraded', style: { 'background-color': stateColours.degraded, 'outline-width': 2, 'outline-offset': 1, 'outline-color': stateColours.degraded, 'outline-style': 'solid', 'outline-opacity': 0.6 } },
    { selector: 'node.hit-down', style: { 'background-color': stateColours.down, 'outline-width': 2, 'outline-offset': 1, 'outline-color': stateColours.down, 'outline-style': 'solid', 'outline-opacity': 0.6 } },
    // Work on a CI is a ring outside its border (the border is the other overlays'), so both show.
    // A change's ring is dashed; an incident's solid ring wins where a CI has both (its label says both).
    { selector: 'node.change-open', style: { 'outline-width': 3, 'outline-offset': 2, 'outline-color': stateColours.change, 'outline-style': 'dashed', 'outline-opacity': 1 } },
    { selector: 'node.incident-degraded', style: { 'outline-width': 4, 'outline-offset': 2, 'outline-color': stateColours.degraded, 'outline-style': 'solid', 'outline-opacity': 1 } },
    { selector: 'node.incident-down', style: { 'outline-width': 4, 'outline-offset': 2, 'outline-color': stateColours.down, 'outline-style': 'solid', 'outline-opacity': 1 } },
    // The label becomes the badge: a tinted pill, larger and bold, legible where the ring is small.
    { selector: 'node.incident-down, node.incident-degraded, node.change-open', style: {
      color: '#1d2733', 'text-outline-width': 0,
      'text-background-opacity': 1, 'text-background-shape': 'round-rectangle', 'z-index': 9,
    } },
    { selector: 'node.change-open', style: { 'text-background-color': '#eadcf3' } },
    { selector: 'node.incident-degraded', style: { 'text-background-color': '#fde9b8' } },
    { selector: 'node.incident-down', style: { 'text-background-color': '#f9d0cf' } },
    // Labels (with their badge) stay on for CIs with work on them, even on a large map.
    { selector: 'node:selected, node.path, node.candidate, node.failed-down, node.failed-degraded, node.new, node.compound, node.server-group, node.incident-down, node.incident-degraded, node.change-open', style: { label: 'data(label)' } },
    { selector: 'node:selected', style: { 'overlay-color': '#1565c0', 'overlay-opacity': 0.25, 'overlay-padding': 6 } },
    // Labels that would overlap a more important one at this zoom (label-fit.ts): transparent, so they keep their measured bounds.
    { selector: 'node.label-fit-out', style: { 'text-opacity': 0, 'text-background-opacity': 0 } },
    ...(labelScale > 1 ? [{ selector: KEPT_LABELS, style: { 'font-size': Math.round(10 * labelScale), 'text-max-width': `${Math.round(110 * labelScale)}px`, 'text-margin-y': Math.round(3 * labelScale), 'text-outline-width': 2 * labelScale, 'z-index': 8 } }] : []),
  ];
  return rules;
}

/** The declared value of one property for an element carrying `classes` (last matching rule wins). */
export function resolveStyle(rules: readonly StyleRule[], group: 'node' | 'edge', classes: readonly string[], property: string): string | number | undefined {
  let value: string | number | undefined;
  for (const r of rules) {
    for (const sel of r.selector.split(',').map((s) => s.trim())) {
      const [elem, ...cls] = sel.split('.');
      if (elem !== group || cls.some((c) => c.includes(':') || !classes.includes(c))) continue;
      if (property in r.style) value = r.style[property];
    }
  }
  return value;
}
