import { describe, expect, it } from 'vitest';
import { edgeStateStyle, graphStyle, resolveStyle, stateColours } from '../../web/lib/graph/style.ts';
import { toElements } from '../../web/lib/graph/elements.ts';
import { impactOverlay } from '../../web/lib/overlays.ts';

const rules = graphStyle({ large: false });
const classesOf = (s: string) => s.split(' ');

describe('styles by state', () => {
  it('colours impacted CIs down red, degraded amber, maintenance blue, over their layer colour', () => {
    const bg = (cls: string) => resolveStyle(rules, 'node', ['layer-software', 'cls-service', cls], 'background-color');
    expect(bg('impact-down')).toBe(stateColours.down);
    expect(bg('impact-degraded')).toBe(stateColours.degraded);
    expect(bg('impact-maintenance')).toBe(stateColours.maintenance);
    expect(resolveStyle(rules, 'node', ['layer-software'], 'background-color')).not.toBe(stateColours.down);
  });

  it('marks the failed CI itself differently from what it brings down', () => {
    const overlay = impactOverlay([{ ci: 'db', state: 'down' }], [{ id: 'db', state: 'down' }, { id: 'api', state: 'degraded' }]);
    const els = new Map(toElements({
      nodes: [
        { id: 'db', class: 'database', name: 'db', environment: 'p', tier: 1, owner: null, lifecycle: 'active', layer: 'software' },
        { id: 'api', class: 'service', name: 'api', environment: 'p', tier: 2, owner: null, lifecycle: 'active', layer: 'software' },
      ], edges: [], truncated: false,
    }, { overlay }).map((e) => [e.data.id, e]));
    expect(resolveStyle(rules, 'node', classesOf(els.get('db')!.classes), 'background-color')).toBe(stateColours.failed);
    expect(resolveStyle(rules, 'node', classesOf(els.get('api')!.classes), 'background-color')).toBe(stateColours.degraded);
  });

  it('draws edges by their last sighting: active solid, idle solid, inactive dotted, declared-only dashed', () => {
    for (const [state, s] of Object.entries(edgeStateStyle)) {
      expect(resolveStyle(rules, 'edge', [`edge-${state}`], 'line-style')).toBe(s.style);
      expect(resolveStyle(rules, 'edge', [`edge-${state}`], 'line-color')).toBe(s.color);
    }
    expect(edgeStateStyle.declared.style).toBe('dashed');
  });

  it('fades retired CIs', () => {
    expect(resolveStyle(rules, 'node', ['layer-software', 'retired'], 'opacity')).toBeLessThan(0.5);
  });

  it('uses cheap haystack edges without arrows on large maps and bezier with arrows on small ones', () => {
    const large = graphStyle({ large: true });
    expect(resolveStyle(large, 'edge', [], 'curve-style')).toBe('haystack');
    expect(resolveStyle(large, 'edge', [], 'target-arrow-shape')).toBeUndefined();
    expect(resolveStyle(rules, 'edge', [], 'curve-style')).toBe('bezier');
    expect(resolveStyle(rules, 'edge', [], 'target-arrow-shape')).toBe('triangle');
  });

  it('lets presses on a large map go through its elements, so they pan; small maps keep clickable elements', () => {
    const large = graphStyle({ large: true });
    expect(resolveStyle(large, 'edge', [], 'events')).toBe('no');
    expect(resolveStyle(large, 'node', ['layer-software'], 'events')).toBe('no');
    expect(resolveStyle(large, 'node', ['compound'], 'events')).toBe('no');
    expect(resolveStyle(rules, 'node', ['layer-software'], 'events')).toBeUndefined();
    expect(resolveStyle(rules, 'edge', [], 'events')).toBeUndefined();
  });

  it('gives every node a loaded, zero-width background image, so that drawing a node is not a style change', () => {
    for (const r of [rules, graphStyle({ large: true })]) {
      for (const cls of [['layer-software'], ['compound'], ['server-group'], ['impact-down']]) {
        expect(String(resolveStyle(r, 'node', cls, 'background-image'))).toMatch(/^data:image\/gif;base64,/);
        expect(resolveStyle(r, 'node', cls, 'background-width')).toBe(0);
      }
    }
  });
});
