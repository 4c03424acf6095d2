import { describe, expect, it } from 'vitest';
import { mapUrl, mapUrlState, parseMapUrl } from '../../web/lib/state/map-url.ts';

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

  describe('a blast radius', () => {
    const plain = { depth: 2, direction: 'both' as const, classes: [], layout: 'layered' as const, asOf: null };

    it("names a change by its id, with the CIs it touches as the focus (they are ringed)", () => {
      const url = mapUrl({ ...plain, focus: ['ci-db'], impact: { change: 'chg-_11uNsn7' } });
      expect(url).toBe('/map?focus=ci-db&impact=change:chg-_11uNsn7');
      expect(mapUrlState(url.slice(url.indexOf('?')))).toEqual({ ...plain, focus: ['ci-db'], impact: { change: 'chg-_11uNsn7' } });
    });

    it('names failed CIs once, with their states: they are its focus', () => {
      const failed = [{ ci: 'ci-a', state: 'down' as const }, { ci: 'ci-b', state: 'degraded' as const }];
      const url = mapUrl({ ...plain, focus: ['ci-a', 'ci-b'], asOf: '2026-12-01T08:00:00.000Z', impact: { failed } });
      expect(url).toBe('/map?asOf=2026-12-01T08:00:00.000Z&impact=down:ci-a,degraded:ci-b');
      expect(mapUrlState(url.slice(url.indexOf('?')))).toEqual({ ...plain, focus: ['ci-a', 'ci-b'], asOf: '2026-12-01T08:00:00.000Z', impact: { failed } });
    });

    it('drops what it cannot use: unknown states, bad ids, repeats; nothing usable is no blast radius', () => {
      expect(parseMapUrl('?impact=down:ci-a,up:ci-b,degraded:<x>,degraded:ci-a').impact).toEqual({ failed: [{ ci: 'ci-a', state: 'down' }] });
      expect(parseMapUrl('?impact=change:<script>')).toEqual({});
      expect(parseMapUrl('?impact=sideways')).toEqual({});
      expect(mapUrlState('?focus=ci-x').impact).toBeNull();
    });
  });
});
