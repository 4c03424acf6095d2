import { describe, expect, it } from 'vitest';
import { mapUrl, parseMapUrl } from '../../web/lib/state/map-url.ts';

describe('the map in its URL', () => {
  const state = { focus: ['ci-abc', 'ci-def'], depth: 4, direction: 'downstream' as const, classes: ['service', 'database'], layout: 'force' as const, asOf: '2026-12-01T08:00:00.000Z' };

  it('writes every part of the map and reads it back the same', () => {
    const url = mapUrl(state);
    expect(url).toBe('/map?focus=ci-abc,ci-def&depth=4&direction=downstream&classes=service,database&layout=force&asOf=2026-12-01T08:00:00.000Z');
    expect(parseMapUrl(url.slice(url.indexOf('?')))).toEqual(state);
  });

  it('leaves defaults out so a plain map is /map', () => {
    expect(mapUrl({ focus: [], depth: 2, direction: 'both', classes: [], layout: 'layered', asOf: null })).toBe('/map');
    expect(mapUrl({ focus: ['ci-a'], depth: 2, direction: 'both', classes: [], layout: 'layered', asOf: null })).toBe('/map?focus=ci-a');
  });

  it('ignores what it cannot use instead of failing', () => {
    expect(parseMapUrl('?focus=<script>,ci-ok&depth=99&direction=sideways&classes=spaceship,host&layout=grid&asOf=yesterday')).toEqual({ focus: ['ci-ok'], classes: ['host'] });
  });
});
