import { describe, expect, it } from 'vitest';
import { toSvg, type SvgNode } from '../../web/lib/graph/export.ts';

const node = (id: string, extra: Partial<SvgNode> = {}): SvgNode => ({ id, x: 0, y: 0, w: 20, h: 20, fill: '#5fa8d3', stroke: '#ffffff', label: id, shape: 'ellipse', opacity: 1, compound: false, ...extra });

describe('the SVG export', () => {
  it('draws each relation with an arrowhead at its target, in its own colour', () => {
    const svg = toSvg([node('a'), node('b', { x: 100 })], [
      { x1: 0, y1: 0, x2: 100, y2: 0, stroke: '#2e7d32', width: 2, dash: '', opacity: 1, arrow: true },
      { x1: 100, y1: 0, x2: 0, y2: 0, stroke: '#7b8794', width: 1, dash: '6 4', opacity: 1, arrow: true },
    ]);
    expect(svg.match(/<marker /g)).toHaveLength(2);
    expect(svg).toMatch(/<marker id="arrow-0"[^>]*><path [^>]*fill="#2e7d32"/);
    expect(svg.match(/marker-end="url\(#arrow-\d\)"/g)).toHaveLength(2);
  });

  it('keeps the ring of a CI with an incident or change, outside its border', () => {
    const svg = toSvg([node('db', { ring: { color: '#d62728', width: 4, offset: 2, dash: '' } }), node('svc', { x: 60, ring: { color: '#6a1b9a', width: 3, offset: 2, dash: '4 3' } })], []);
    expect(svg).toMatch(/<ellipse cx="0" cy="0" rx="14" ry="14" fill="none" stroke="#d62728" stroke-width="4" class="ring"\/>/);
    expect(svg).toMatch(/stroke="#6a1b9a" stroke-width="3" stroke-dasharray="4 3" class="ring"/);
  });

  it('draws a team as a diamond and a group with its double border', () => {
    const svg = toSvg([node('team', { shape: 'diamond' }), node('group', { x: 80, shape: 'round-rectangle', w: 44, h: 30, double: true, strokeWidth: 4, stroke: '#1d2733' })], []);
    expect(svg).toContain('<polygon points="0,-10 10,0 0,10 -10,0"');
    expect(svg.match(/<rect [^>]*stroke="#1d2733"/g)).toHaveLength(2);
  });
});
