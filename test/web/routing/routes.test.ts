import { describe, expect, it } from 'vitest';
import { isInAppClick, parseRoute, routePath, sectionOf, type Route } from '../../../web/lib/routing/routes.ts';

describe('UI addresses', () => {
  it('every view, CI, incident and change has a path that parses back to it', () => {
    const routes: Route[] = [
      { name: 'map' }, { name: 'ci', id: 'ci-abc' }, { name: 'impact' }, { name: 'incidents' }, { name: 'incident', id: 'inc-x_1' },
      { name: 'changes' }, { name: 'new-change' }, { name: 'change', id: 'chg-9' }, { name: 'calendar' }, { name: 'root-cause' },
      { name: 'history' }, { name: 'now' }, { name: 'tokens' },
    ];
    for (const r of routes) expect(parseRoute(routePath(r))).toEqual(r);
  });

  it('the root is the map; a trailing slash changes nothing', () => {
    expect(parseRoute('/')).toEqual({ name: 'map' });
    expect(parseRoute('/incidents/')).toEqual({ name: 'incidents' });
    expect(parseRoute('/changes/chg-1/')).toEqual({ name: 'change', id: 'chg-1' });
  });

  it('ids are encoded in paths and decoded from them', () => {
    expect(routePath({ name: 'ci', id: 'a/b c' })).toBe('/cis/a%2Fb%20c');
    expect(parseRoute('/cis/a%2Fb%20c')).toEqual({ name: 'ci', id: 'a/b c' });
  });

  it('anything else is not found, including a malformed escape and inherited object keys', () => {
    expect(parseRoute('/cis/%E0%A4%A')).toEqual({ name: 'not-found', path: '/cis/%E0%A4%A' });
    expect(parseRoute('/constructor')).toEqual({ name: 'not-found', path: '/constructor' });
    expect(parseRoute('/toString/x')).toEqual({ name: 'not-found', path: '/toString/x' });
    expect(parseRoute('/incidents/a/b')).toEqual({ name: 'not-found', path: '/incidents/a/b' });
  });

  it('a record page belongs to its list in the navigation, a CI to the map', () => {
    expect(sectionOf({ name: 'incident', id: 'x' })).toBe('incidents');
    expect(sectionOf({ name: 'change', id: 'x' })).toBe('changes');
    expect(sectionOf({ name: 'new-change' })).toBe('changes');
    expect(sectionOf({ name: 'ci', id: 'x' })).toBe('map');
    expect(sectionOf({ name: 'calendar' })).toBe('calendar');
  });
});

describe('which link clicks the app handles itself', () => {
  const click = { button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false, defaultPrevented: false };
  const link = (href: string, attrs: Record<string, string> = {}) => ({ href, target: attrs.target ?? '', hasAttribute: (n: string) => n in attrs });
  const origin = 'http://sg.example:8080';

  it('a plain click on an app path', () => {
    expect(isInAppClick(click, link(`${origin}/incidents/inc-1`), origin)).toBe(true);
  });
  it('not a click meant for a new tab or window, nor a download', () => {
    expect(isInAppClick({ ...click, ctrlKey: true }, link(`${origin}/map`), origin)).toBe(false);
    expect(isInAppClick({ ...click, metaKey: true }, link(`${origin}/map`), origin)).toBe(false);
    expect(isInAppClick({ ...click, button: 1 }, link(`${origin}/map`), origin)).toBe(false);
    expect(isInAppClick(click, link(`${origin}/map`, { target: '_blank' }), origin)).toBe(false);
    expect(isInAppClick(click, link(`${origin}/map`, { download: '' }), origin)).toBe(false);
  });
  it('not another origin, nor the API', () => {
    expect(isInAppClick(click, link('https://example.org/map'), origin)).toBe(false);
    expect(isInAppClick(click, link(`${origin}/api/v1/openapi.json`), origin)).toBe(false);
  });
});
