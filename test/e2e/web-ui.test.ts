import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mapSettled, screenshot, useE2e } from './browser.ts';

/**
 * The web UI in Debian's Chromium against the real server with the demo estate: one user's
 * session from sign-in to export, each step a test in order (they share the page, as a user would).
 * Screenshots land in test-results/web-*.png.
 */
const e2e = useE2e('web', { server: { demo: true }, stepTimeout: 10_000 });
type Sg = { map: { graph: { nodes: { id: string; name: string; class: string }[] }; selected: string | null; focus: string[]; asOf: string | null; loading: boolean }; view: { cy: unknown; renderedPosition(id: string): { x: number; y: number } | null } };

let db: { id: string; name: string; environment: string };
/** A server-assigned CI id, which the UI should never show where a name is known. */
const rawId = /\bci-[a-z0-9]{12,}\b/;

const nodeCount = () => e2e.page.evaluate(() => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.graph.nodes.length);
/** Ids of map elements carrying a class (reads Cytoscape through the app's test handle). */
const withClass = (cls: string) => e2e.page.evaluate((c) => {
  const cy = (window as unknown as { __servicegraph: { view: { cy: { elements(s: string): { map(f: (e: { id(): string }) => string): string[] } } } } }).__servicegraph.view.cy;
  return cy.elements(`.${c}`).map((e) => e.id());
}, cls);
/** Follows a link of the navigation, as a person moves between views. */
async function tab(name: string) {
  await e2e.page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name, exact: true }).click();
}

beforeAll(async () => {
  db = (await e2e.srv.api('/api/v1/cis?class=database&environment=production&limit=1')).body.items[0];
});

describe('web UI end to end', () => {
  it('signs in from a #token= link and drops the token from the address bar', async () => {
    // The browser's first page compiles the whole bundle: in a full suite on a loaded machine (load 7-8) that took
    // over the steps' 10 s; the steps after it keep their bound.
    await e2e.signIn('/', { timeout: 45_000 });
    await e2e.page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 45_000 });
    await mapSettled(e2e.page);
    // The token is gone from the address bar; the map's state took its place (/map?...).
    expect(e2e.page.url()).toBe(`${e2e.srv.url}/map`);
    expect(await e2e.page.evaluate(() => sessionStorage.getItem('servicegraph.token'))).toBe(e2e.srv.adminToken);
    await e2e.page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => e2e.page.evaluate(() => sessionStorage.getItem('servicegraph.token'))).toBeNull();
  }, 90_000);

  it('signs in with a typed token, refusing a wrong one', async () => {
    await e2e.page.getByLabel('Token').fill('not-a-token');
    await e2e.page.getByRole('button', { name: 'Sign in' }).click();
    await e2e.page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    await e2e.page.getByLabel('Token').fill(e2e.srv.adminToken);
    await e2e.page.getByRole('button', { name: 'Sign in' }).click();
    await mapSettled(e2e.page);
    await e2e.page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  });

  it('loads the demo estate: the top of the estate, business services on top', async () => {
    expect(await nodeCount()).toBeGreaterThan(20);
    const layers = await e2e.page.evaluate(() => {
      const sg = (window as unknown as { __servicegraph: { view: { cy: { nodes(s: string): { map(f: (n: { position(): { y: number } }) => number): number[] } } } } }).__servicegraph;
      const y = (s: string) => sg.view.cy.nodes(s).map((n) => n.position().y);
      return { business: Math.max(...y('.layer-business')), application: Math.min(...y('.layer-application')) };
    });
    expect(layers.business).toBeLessThan(layers.application);
    // Zoomed out, labels are left out; hovering a CI names it.
    const hovered = await e2e.page.evaluate(() => {
      const sg = (window as unknown as { __servicegraph: Sg }).__servicegraph;
      const n = sg.map.graph.nodes.find((x) => x.class === 'business_service')!;
      return { name: n.name, pos: sg.view.renderedPosition(n.id)! };
    });
    const canvas = (await e2e.page.locator('.cy').boundingBox())!;
    await e2e.page.mouse.move(canvas.x + hovered.pos.x, canvas.y + hovered.pos.y);
    await expect.poll(() => e2e.page.getByRole('tooltip').textContent()).toContain(hovered.name);
    await screenshot(e2e.page, 'web-1-estate');
  });

  it('searches by name with the keyboard and focuses the map on the pick, showing its details', async () => {
    const box = e2e.page.getByRole('combobox', { name: /Find a CI/ });
    await box.fill(db.name);
    await e2e.page.getByRole('option').first().waitFor();
    await box.press('Enter');
    await mapSettled(e2e.page);
    const st = await e2e.page.evaluate(() => { const m = (window as unknown as { __servicegraph: Sg }).__servicegraph.map; return { focus: m.focus, selected: m.selected }; });
    expect(st.focus).toHaveLength(1);
    expect(st.selected).toBe(st.focus[0]);
    const details = e2e.page.getByRole('complementary', { name: 'Selected CI' });
    await details.getByRole('heading', { name: 'Sources' }).waitFor();
    await expect.poll(() => details.textContent()).toContain('demo');
    // Relations name their other end (the API sends the names), even where it is not on the map.
    const relations = details.getByRole('list', { name: 'Relations' });
    await relations.getByRole('button').first().waitFor();
    expect(await relations.textContent()).not.toMatch(rawId);
    // Health comes from monitoring; the demo has none connected, which the panel says rather than nothing.
    await details.getByRole('status').filter({ hasText: 'unknown: no alert has reached servicegraph yet' }).waitFor();
    await screenshot(e2e.page, 'web-2-search-focus');
  });

  it('says why a search found nothing, and offers the class filter when the words name a class', async () => {
    const box = e2e.page.getByRole('combobox', { name: /Find a CI/ });
    await box.fill('databases');
    const none = e2e.page.getByRole('listbox', { name: 'Search results' }).getByRole('status');
    await expect.poll(() => none.textContent()).toContain('No CI matches “databases”.');
    await screenshot(e2e.page, 'web-2b-search-none');
    await none.getByRole('button', { name: 'All databases (class:database)' }).click();
    await expect.poll(() => box.inputValue()).toBe('class:database');
    await e2e.page.getByRole('option', { name: new RegExp(db.name) }).first().waitFor();
    await box.fill('class:databse');
    await expect.poll(() => none.textContent()).toMatch(/^No class “databse”\. Classes: .*database/);
    await box.fill('');
    await box.press('Escape');
  });

  it('expands a CI by double-click', async () => {
    // Focus with depth 1 so that expanding has somewhere to go.
    await e2e.page.getByLabel('Depth').fill('1');
    await e2e.page.getByRole('button', { name: 'Apply' }).click();
    await mapSettled(e2e.page);
    const before = await nodeCount();
    const target = await e2e.page.evaluate(() => {
      const sg = (window as unknown as { __servicegraph: Sg }).__servicegraph;
      const focus = sg.map.focus[0];
      // A service has dependencies of its own beyond the focus: expanding it must add some.
      const other = sg.map.graph.nodes.find((n) => n.id !== focus && n.class === 'service')!;
      return { id: other.id, pos: sg.view.renderedPosition(other.id)! };
    });
    const canvas = await e2e.page.locator('.cy').boundingBox();
    await e2e.page.mouse.dblclick(canvas!.x + target.pos.x, canvas!.y + target.pos.y);
    await expect.poll(nodeCount, { timeout: 15_000 }).toBeGreaterThan(before);
    await mapSettled(e2e.page);
    await screenshot(e2e.page, 'web-3-expanded');
  });

  it('overlays impact: a CI marked down colours its dependents, hover shows the path, an incident gets a priority', async () => {
    await e2e.page.evaluate((id) => { (window as unknown as { __servicegraph: Sg }).__servicegraph.map.selected = id; }, db.id);
    await tab('Impact');
    await e2e.page.getByRole('button', { name: `Mark “${db.name}” down` }).click();
    await e2e.page.getByRole('button', { name: 'Compute impact' }).click();
    await e2e.page.locator('.summary').waitFor();
    expect(await withClass('failed-down')).toEqual([db.id]);
    const impacted = [...await withClass('impact-down'), ...await withClass('impact-degraded')];
    expect(impacted.length).toBeGreaterThan(0);
    await e2e.page.getByRole('list', { name: 'Impacted CIs' }).getByRole('button').first().hover();
    await expect.poll(async () => (await withClass('path')).length).toBeGreaterThan(0);
    await screenshot(e2e.page, 'web-4-impact');

    const download = e2e.page.waitForEvent('download');
    await e2e.page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = readFileSync((await (await download).path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('id,name,class,tier,owner,state,depth,reason,path');
    expect(csv.split('\r\n').length).toBeGreaterThan(2);

    await e2e.page.getByLabel('Title').fill('e2e: database down');
    await e2e.page.getByLabel('Urgency').selectOption('1');
    await e2e.page.getByRole('button', { name: 'Open incident' }).click();
    // What was opened is its own page.
    await e2e.page.waitForURL(/\/incidents\/inc-/);
    await expect(e2e.page.getByLabel('Priority').textContent()).resolves.toMatch(/^P[1-4]$/);
    await screenshot(e2e.page, 'web-5-incident');
  });

  it('assesses a change: risk gauge with factors, blast radius on the map, approvers', async () => {
    await tab('Changes');
    await e2e.page.getByRole('link', { name: 'New change' }).click();
    await e2e.page.getByLabel('Title').fill('e2e: upgrade the database');
    // Nothing is selected on the map since the incident's page showed its blast radius: found by search.
    const box = e2e.page.getByRole('combobox', { name: 'CIs touched by the change' });
    await box.fill(db.name);
    await e2e.page.getByRole('option').filter({ hasText: db.name }).first().waitFor();
    await box.press('Enter');
    await e2e.page.getByRole('list', { name: 'CIs touched' }).getByText(db.name).waitFor();
    await e2e.page.getByRole('button', { name: 'Create and assess' }).click();
    await e2e.page.getByRole('img', { name: /^Risk \d+ of 100/ }).waitFor();
    expect(await e2e.page.getByRole('list', { name: 'Risk factors' }).getByRole('listitem').count()).toBeGreaterThan(0);
    await e2e.page.waitForURL(/\/changes\/chg-/);
    await expect.poll(() => withClass('touched')).toContain(db.id);
    expect((await withClass('blast')).length).toBeGreaterThan(0);
    await e2e.page.getByRole('list', { name: 'Approvals' }).getByRole('listitem').first().waitFor();
    await screenshot(e2e.page, 'web-6-change');
    await e2e.page.getByRole('list', { name: 'Collisions' }).scrollIntoViewIfNeeded();
    await screenshot(e2e.page, 'web-6b-change-approvers');
  });

  it('ranks root-cause candidates for incidents and shows a candidate on the map', async () => {
    // Two dependents of the database failing together: the database is their nearest common provider.
    const detail = await e2e.srv.api(`/api/v1/cis/${db.id}`);
    const dependents = (detail.body.relations.incoming as { from: string; type: string }[]).filter((r) => r.type === 'DEPENDS_ON').map((r) => r.from).slice(0, 2);
    expect(dependents).toHaveLength(2);
    // What changed there just before: a source edits the database (its appearance with the demo load is discovery, not a change).
    expect((await e2e.srv.api('/api/v1/ingest', { token: await e2e.srv.tokenFor('collector'), body: { source: 'dba-notes', scope: 'e2e-rca', cis: [{ class: 'database', name: db.name, environment: db.environment, attributes: { max_connections: '800' } }] } })).status).toBe(200);
    const opened = await e2e.srv.api('/api/v1/incidents', { body: { title: 'e2e: readers and writers failing', cis: dependents.map((ci) => ({ ci, state: 'down' })), urgency: 2 } });
    expect(opened.status).toBe(201);
    await tab('Root cause');
    await e2e.page.getByRole('checkbox', { name: /readers and writers failing/ }).check();
    await e2e.page.getByRole('button', { name: 'Find root cause' }).click();
    const first = e2e.page.getByRole('list', { name: 'Root-cause candidates' }).getByRole('button').first();
    // The ranking is the impact engine's to test; here: the database is among the candidates, and
    // clicking the top one marks it (and only it) on the map and selects it.
    await expect(e2e.page.getByRole('list', { name: 'Root-cause candidates' }).textContent()).resolves.toContain(db.name);
    await first.click();
    await expect.poll(() => withClass('candidate')).toHaveLength(1);
    const selected = await e2e.page.evaluate(() => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.selected);
    expect(await withClass('candidate')).toEqual([selected]);
    // The demo was loaded a minute ago: the view says its appearances are not counted as changes.
    await e2e.page.getByRole('note').filter({ hasText: 'discovered in this period' }).waitFor();
    // The database's recent change is the edit, by attribute, with no raw id.
    await e2e.page.getByRole('list', { name: 'Root-cause candidates' }).getByRole('button', { name: new RegExp(`^${db.name}`) }).first().click();
    const changes = e2e.page.getByRole('list', { name: 'Recent changes', exact: true });
    await changes.getByText('max_connections null → "800"', { exact: false }).waitFor();
    await expect.poll(() => changes.textContent()).not.toMatch(rawId);
    await screenshot(e2e.page, 'web-7-root-cause');
  });

  it('patches the map live when an ingest adds a CI next to one shown', async () => {
    await tab('Map');
    const zoomBefore = await e2e.page.evaluate(() => ((window as unknown as { __servicegraph: { view: { cy: { zoom(): number } } } }).__servicegraph.view.cy.zoom()));
    const collector = await e2e.srv.tokenFor('collector');
    const res = await e2e.srv.api('/api/v1/ingest', {
      token: collector,
      body: {
        source: 'e2e', scope: 'live-test',
        cis: [{ class: 'service', name: 'e2e-live-reporting', environment: db.environment, owner: 'e2e' }],
        relations: [{ type: 'DEPENDS_ON', from: { class: 'service', name: 'e2e-live-reporting', environment: db.environment }, to: { id: db.id } }],
      },
    });
    expect(res.status).toBe(200);
    await expect.poll(async () => (await e2e.page.evaluate(() => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.graph.nodes.map((n) => n.name))).includes('e2e-live-reporting'), { timeout: 15_000 }).toBe(true);
    expect(await withClass('new')).toHaveLength(1);
    // Patched in place: the viewport is where the user left it.
    expect(await e2e.page.evaluate(() => ((window as unknown as { __servicegraph: { view: { cy: { zoom(): number } } } }).__servicegraph.view.cy.zoom()))).toBe(zoomBefore);
    await screenshot(e2e.page, 'web-8-live');
  });

  it('badges the CIs of open incidents and changes on the map, live, and lists them in the side panel', async () => {
    type Cy = { zoom(): number; pan(): { x: number; y: number }; getElementById(id: string): { data(k: string): string } };
    const viewport = () => e2e.page.evaluate(() => { const cy = (window as unknown as { __servicegraph: { view: { cy: { zoom(): number; pan(): { x: number; y: number } } } } }).__servicegraph.view.cy; return { zoom: cy.zoom(), pan: cy.pan() }; });
    const label = (id: string) => e2e.page.evaluate((i) => (window as unknown as { __servicegraph: { view: { cy: Cy } } }).__servicegraph.view.cy.getElementById(i).data('label'), id);
    // Opened and created earlier in this session from the Impact and Change views: their live events brought the badges.
    expect(await withClass('incident-down')).toContain(db.id);
    expect(await withClass('change-open')).toContain(db.id);
    expect(await label(db.id)).toBe(db.name);

    // The CI the live ingest just added has nothing on it yet; an incident opened now names it degraded.
    const target = await e2e.page.evaluate(() => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.graph.nodes.find((n) => n.name === 'e2e-live-reporting')!.id);
    expect(await withClass('incident-degraded')).not.toContain(target);
    const selectedBefore = await e2e.page.evaluate(() => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.selected);
    const before = await viewport();
    const opened = await e2e.srv.api('/api/v1/incidents', { body: { title: 'e2e: reporting is slow', cis: [{ ci: target, state: 'degraded' }], urgency: 3 } });
    expect(opened.status).toBe(201);
    await expect.poll(() => withClass('incident-degraded'), { timeout: 10_000 }).toContain(target);
    expect(await label(target)).toBe('e2e-live-reporting');
    // Patched in place: the view and the selection are where the user left them.
    expect(await viewport()).toEqual(before);
    expect(await e2e.page.evaluate(() => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.selected)).toBe(selectedBefore);
    await e2e.page.locator('.marked').filter({ hasText: /[1-9]\d* CIs? with an open incident/ }).waitFor();

    // A click on the badged CI lists its incident, with the priority the server computed.
    const pos = await e2e.page.evaluate((id) => (window as unknown as { __servicegraph: Sg }).__servicegraph.view.renderedPosition(id)!, target);
    const canvas = (await e2e.page.locator('.cy').boundingBox())!;
    await e2e.page.mouse.click(canvas.x + pos.x, canvas.y + pos.y);
    await expect.poll(() => e2e.page.evaluate(() => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.selected)).toBe(target);
    const details = e2e.page.getByRole('complementary', { name: 'Selected CI' });
    const incidents = details.getByRole('list', { name: 'Open incidents' });
    await incidents.getByRole('listitem').first().waitFor();
    expect(await incidents.getByRole('listitem').count()).toBe(1);
    expect(await incidents.textContent()).toContain('e2e: reporting is slow');
    expect(await incidents.textContent()).toContain(opened.body.priority.priority);
    await expect.poll(() => details.textContent()).toMatch(/Last seen\s*\d+ s ago by any source/);
    await e2e.page.locator('.legend summary').click();
    await e2e.page.getByRole('list', { name: 'Work on CIs' }).waitFor();
    await screenshot(e2e.page, 'web-8b-incident-badge');
    // A close-up (the map zoomed twice as far in) to judge how the badges read; then back to the fit.
    await e2e.page.evaluate(() => (window as unknown as { __servicegraph: { view: { zoomBy(f: number): void } } }).__servicegraph.view.zoomBy(2));
    await screenshot(e2e.page, 'web-8b-incident-badge-close-up');
    await e2e.page.evaluate(() => (window as unknown as { __servicegraph: { view: { fit(): void } } }).__servicegraph.view.fit());

    // The database's panel: the incident naming it down and the change touching it, with its window.
    await e2e.page.evaluate((id) => { (window as unknown as { __servicegraph: Sg }).__servicegraph.map.selected = id; }, db.id);
    await expect.poll(() => details.getByRole('list', { name: 'Open incidents' }).textContent()).toContain('e2e: database down');
    const changes = details.getByRole('list', { name: 'Changes' });
    await expect.poll(() => changes.textContent()).toContain('e2e: upgrade the database');
    expect(await changes.textContent()).toMatch(/planned · .+ → .+/);
    await screenshot(e2e.page, 'web-8c-change-badge');

    // Resolving the incident takes its badge off, again live.
    expect((await e2e.srv.api(`/api/v1/incidents/${opened.body.id}`, { method: 'PATCH', body: { status: 'resolved' } })).status).toBe(200);
    await expect.poll(() => withClass('incident-degraded'), { timeout: 10_000 }).not.toContain(target);
    expect(await label(target)).toBe('e2e-live-reporting');
    await e2e.page.locator('.legend summary').click();
  });

  it('moves the map back in time with the asOf slider and compares two times', async () => {
    await tab('History');
    const slider = e2e.page.getByRole('slider');
    await slider.focus();
    // The slider is logarithmic in time back: End is 30 days ago.
    await slider.press('End');
    expect(await e2e.page.locator('label[for="asof"] strong').textContent()).toMatch(/30 days ago/);
    await expect.poll(() => e2e.page.evaluate(() => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.asOf)).not.toBeNull();
    await mapSettled(e2e.page);
    await e2e.page.locator('.pinned').waitFor();
    // A month ago the demo estate (loaded a minute ago) did not exist yet.
    expect(await nodeCount()).toBe(0);
    await e2e.page.getByRole('status').filter({ hasText: 'No CI existed here' }).waitFor();
    await screenshot(e2e.page, 'web-9-asof');
    await e2e.page.getByRole('button', { name: 'Back to live' }).click();
    await expect.poll(nodeCount, { timeout: 15_000 }).toBeGreaterThan(0);
    await e2e.page.getByRole('button', { name: 'Compare' }).click();
    await e2e.page.locator('.summary').waitFor();
    expect(await e2e.page.locator('.summary').textContent()).toMatch(/\+\d+ added/);
    await mapSettled(e2e.page);
    expect((await withClass('diff-added')).length).toBeGreaterThan(0);
    await screenshot(e2e.page, 'web-10-diff');
    // The views' colours pile up across tabs; one button on the map takes them all off.
    const clear = e2e.page.getByRole('button', { name: /^Clear .*diff/ });
    await clear.click();
    await expect.poll(() => withClass('diff-added')).toEqual([]);
    await expect.poll(() => clear.count()).toBe(0);
  });

  it('exports the map as PNG and SVG', async () => {
    await tab('Map');
    let download = e2e.page.waitForEvent('download');
    await e2e.page.getByRole('button', { name: 'PNG' }).click();
    const png = readFileSync((await (await download).path())!);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    download = e2e.page.waitForEvent('download');
    await e2e.page.getByRole('button', { name: 'SVG' }).click();
    const svg = readFileSync((await (await download).path())!, 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain(db.name);
  });

  it('on a large map, finds the CI under the mouse itself: hover names it, a click selects it, a drag pans', async () => {
    await tab('Map');
    // The whole demo estate ungrouped: thousands of CIs, so the map takes its large-map style.
    const shown = await e2e.page.evaluate(async () => {
      const sg = (window as unknown as { __servicegraph: Sg & { map: { graph: unknown; epoch: number; selected: string | null }; view: { settled: Promise<unknown> } } }).__servicegraph;
      const token = sessionStorage.getItem('servicegraph.token');
      const g = await (await fetch('/api/v1/graph?depth=6&direction=both&group=none', { headers: { authorization: `Bearer ${token}` } })).json();
      sg.map.selected = null;
      sg.map.graph = g;
      sg.map.epoch++;
      return g.nodes.length as number;
    });
    expect(shown).toBeGreaterThan(1000);
    await mapSettled(e2e.page);
    const target = await e2e.page.evaluate(() => {
      const sg = (window as unknown as { __servicegraph: Sg & { view: { cy: { getElementById(id: string): { pstyle(p: string): { value: string } } } } } }).__servicegraph;
      // The application service nearest the middle, clear of the toolbar, legend and overview.
      const mid = { x: innerWidth / 2, y: innerHeight / 2 };
      const d = (id: string) => { const p = sg.view.renderedPosition(id)!; return Math.hypot(p.x - mid.x, p.y - mid.y); };
      const n = sg.map.graph.nodes.filter((x) => x.class === 'application_service').sort((a, b) => d(a.id) - d(b.id))[0];
      return { id: n.id, name: n.name, events: sg.view.cy.getElementById(n.id).pstyle('events').value, pos: sg.view.renderedPosition(n.id)! };
    });
    // Cytoscape itself sees no node: a press on one would restyle it and drop the map's cached bitmap.
    expect(target.events).toBe('no');
    const canvas = (await e2e.page.locator('.cy').boundingBox())!;
    await e2e.page.mouse.move(canvas.x + target.pos.x, canvas.y + target.pos.y);
    await expect.poll(() => e2e.page.getByRole('tooltip').textContent()).toContain(target.name);
    await e2e.page.mouse.click(canvas.x + target.pos.x, canvas.y + target.pos.y);
    await expect.poll(() => e2e.page.evaluate(() => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.selected)).toBe(target.id);
    await screenshot(e2e.page, 'web-11-large-map-selected');
    // A drag that starts on a CI pans the map and leaves the selection alone (the details panel
    // now covers the right of the map: a CI on its left).
    const pan = () => e2e.page.evaluate(() => (window as unknown as { __servicegraph: { view: { cy: { pan(): { x: number; y: number } } } } }).__servicegraph.view.cy.pan());
    const before = await pan();
    const at = await e2e.page.evaluate(() => {
      const sg = (window as unknown as { __servicegraph: Sg }).__servicegraph;
      const p = (id: string) => sg.view.renderedPosition(id)!;
      const d = (id: string) => Math.hypot(p(id).x - 250, p(id).y - 300);
      return p(sg.map.graph.nodes.map((n) => n.id).sort((a, b) => d(a) - d(b))[0]);
    });
    const start = { x: canvas.x + at.x, y: canvas.y + at.y };
    expect(await e2e.page.evaluate(({ x, y }) => !!document.elementFromPoint(x, y)?.closest('.cy'), start)).toBe(true);
    await e2e.page.mouse.move(start.x, start.y);
    await e2e.page.mouse.down();
    for (let i = 1; i <= 5; i++) await e2e.page.mouse.move(start.x + i * 20, start.y + i * 8);
    await e2e.page.mouse.up();
    const after = await pan();
    expect(after.x - before.x).toBeGreaterThan(50);
    expect(await e2e.page.evaluate(() => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.selected)).toBe(target.id);
    await expect.poll(() => e2e.page.getByRole('tooltip').count()).toBe(0);
  });

  it('shows an impact analysis of a past instant on the map at that instant, not the instant the map showed', async () => {
    const at = new Date().toISOString();
    await e2e.page.goto(`${e2e.srv.url}/impact?impact=down:${db.id}&asOf=${at}`);
    await e2e.page.locator('.summary').waitFor();
    expect(await e2e.page.evaluate(() => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.asOf)).toBeNull();
    await e2e.page.getByRole('button', { name: 'Show on map' }).click();
    await expect.poll(() => e2e.page.evaluate(() => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.asOf)).toBe(at);
    await mapSettled(e2e.page);
    await e2e.page.locator('.pinned').waitFor();
    expect(await nodeCount()).toBeGreaterThan(0);
    await e2e.page.goto(`${e2e.srv.url}/map`);
    await mapSettled(e2e.page);
  });
});
