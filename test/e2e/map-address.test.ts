import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { mapSettled, screenshot, useE2e } from './browser.ts';

/**
 * The map's address in Chromium: a blast radius shown by a change's or an incident's page is in the
 * Map's address, so a reload or the address pasted into another tab shows the same blast radius; and
 * a CI selected on the map belongs to the map's address, not to every view. Screenshots land in
 * test-results/address-*.png.
 */
const e2e = useE2e('address', { server: { demo: { cis: 800 } } });
type Sg = { map: { graph: { nodes: { id: string; name: string; group?: unknown }[] }; selected: string | null; blastRadius: unknown }; view: { cy: { elements(s: string): { map(f: (e: { id(): string }) => string): string[] } }; renderedPosition(id: string): { x: number; y: number } | null } };

let db: { id: string; name: string };

/** Reads the app's test handle in the page (the function's source runs there). */
const sg = <T>(p: Page, f: (s: Sg) => T) => p.evaluate(`(${f.toString()})(window.__servicegraph)`) as Promise<T>;
/** Ids of the map elements carrying a class (Cytoscape, through the app's test handle). */
const withClass = (p: Page, cls: string) => p.evaluate((c) => (window as unknown as { __servicegraph: Sg }).__servicegraph.view.cy.elements(`.${c}`).map((e) => e.id()).sort(), cls);
const nodeIds = (p: Page) => sg(p, (s) => s.map.graph.nodes.map((n) => n.id).sort());
async function tab(p: Page, name: string) {
  await p.getByRole('navigation', { name: 'Views' }).getByRole('link', { name, exact: true }).click();
}
/** Whether the Impact page is computing (its Compute button is disabled meanwhile). */
const busy = (p: Page) => p.getByRole('button', { name: 'Compute impact' }).isDisabled();
const details = (p: Page) => p.getByRole('complementary', { name: 'Selected CI' });

beforeAll(async () => {
  db = (await e2e.srv.api('/api/v1/cis?class=database&environment=production&limit=1')).body.items[0];
}, 180_000);

describe('a blast radius in the address', () => {
  it("keeps a change's blast radius through the Map view, a reload and a second tab", async () => {
    const window = { start: new Date(Date.now() + 48 * 3600_000).toISOString(), end: new Date(Date.now() + 50 * 3600_000).toISOString() };
    const change = (await e2e.srv.api('/api/v1/changes', { body: { title: 'address: patch the database', type: 'normal', window, cis: [db.id] } })).body;
    await e2e.signIn(`/changes/${change.id}`);
    await e2e.page.getByRole('img', { name: /^Risk \d+ of 100/ }).waitFor();
    await mapSettled(e2e.page);
    await expect.poll(() => withClass(e2e.page, 'touched')).toContain(db.id);
    const shown = await nodeIds(e2e.page);
    expect(shown.length).toBeGreaterThan(1);

    // The Map view names the blast radius in its address and keeps its colours.
    await tab(e2e.page, 'Map');
    await e2e.page.waitForURL((u) => u.pathname === '/map' && u.searchParams.get('impact') === `change:${change.id}`);
    await mapSettled(e2e.page);
    // The panel names the change by its title, linked to its page, the id beside it.
    const named = e2e.page.getByRole('status').filter({ hasText: `Blast radius of change “address: patch the database” (${change.id})` });
    await named.waitFor();
    expect(await named.getByRole('link', { name: '“address: patch the database”' }).getAttribute('href')).toBe(`/changes/${change.id}`);
    expect(await nodeIds(e2e.page)).toEqual(shown);
    const blast = await withClass(e2e.page, 'blast');
    expect(blast.length).toBeGreaterThan(1);
    expect(await withClass(e2e.page, 'touched')).toEqual([db.id]);
    await screenshot(e2e.page, 'address-1-change-blast-radius');
    const url = e2e.page.url();

    // A reload draws the same blast radius, coloured the same.
    await e2e.page.reload();
    await mapSettled(e2e.page);
    expect(e2e.page.url()).toBe(url);
    await e2e.page.getByRole('status').filter({ hasText: `Blast radius of change “address: patch the database”` }).waitFor();
    expect(await nodeIds(e2e.page)).toEqual(shown);
    expect(await withClass(e2e.page, 'blast')).toEqual(blast);
    await screenshot(e2e.page, 'address-2-change-reloaded');

    // So does the address pasted into a second tab (signed in by the first one).
    const second = await e2e.browser.context.newPage();
    try {
      await second.goto(url);
      await mapSettled(second);
      await second.getByRole('status').filter({ hasText: '“address: patch the database”' }).waitFor();
      expect(await nodeIds(second)).toEqual(shown);
      expect(await withClass(second, 'blast')).toEqual(blast);
      expect(await withClass(second, 'touched')).toEqual([db.id]);
      await screenshot(second, 'address-3-change-second-tab');
    } finally { await second.close(); }

    // The plain map around the touched CI is one click away, and its address says so.
    await e2e.page.getByRole('button', { name: /Show the plain map around it/ }).click();
    await e2e.page.waitForURL((u) => !u.searchParams.has('impact') && u.searchParams.get('focus') === db.id);
    await mapSettled(e2e.page);
    expect(await withClass(e2e.page, 'blast')).toEqual([]);
  }, 120_000);

  it("keeps an incident's failed CIs and what they take down through a reload", async () => {
    const incident = (await e2e.srv.api('/api/v1/incidents', { body: { title: 'address: database down', cis: [{ ci: db.id, state: 'down' }], urgency: 2 } })).body;
    await e2e.page.goto(`${e2e.srv.url}/incidents/${incident.id}`);
    await e2e.page.getByRole('heading', { name: /address: database down/ }).waitFor();
    await mapSettled(e2e.page);
    await expect.poll(() => withClass(e2e.page, 'failed-down')).toContain(db.id);
    const shown = await nodeIds(e2e.page);
    await tab(e2e.page, 'Map');
    await e2e.page.waitForURL((u) => u.searchParams.get('impact') === `down:${db.id}`);
    await mapSettled(e2e.page);
    const hit = await withClass(e2e.page, 'impact-down');
    expect(hit.length + (await withClass(e2e.page, 'impact-degraded')).length).toBeGreaterThan(0);
    await e2e.page.reload();
    await mapSettled(e2e.page);
    await e2e.page.getByRole('status').filter({ hasText: `Blast radius of ${db.name} down` }).waitFor();
    expect(await nodeIds(e2e.page)).toEqual(shown);
    expect(await withClass(e2e.page, 'failed-down')).toContain(db.id);
    expect(await withClass(e2e.page, 'impact-down')).toEqual(hit);
    await screenshot(e2e.page, 'address-4-incident-reloaded');
  }, 90_000);
});

describe("the Impact page's analysis in its address", () => {
  it('keeps the failed CIs, their states and what they hit through a reload and a second tab', async () => {
    const other = (await e2e.srv.api('/api/v1/cis?class=load_balancer&limit=1')).body.items[0] as { id: string; name: string };
    await e2e.page.goto(`${e2e.srv.url}/impact`);
    const failedList = e2e.page.getByRole('list', { name: 'Failed CIs' });
    const search = e2e.page.getByRole('combobox', { name: 'Add a failed CI' });
    for (const ci of [db, other]) {
      await search.fill(ci.name);
      await e2e.page.getByRole('option').filter({ hasText: ci.name }).first().click();
    }
    await expect.poll(() => failedList.getByRole('listitem').count()).toBe(2);
    await e2e.page.getByRole('combobox', { name: `State of ${other.name}` }).selectOption('degraded');
    // Each edit writes the list into the address, in the map's syntax.
    await e2e.page.waitForURL((u) => u.pathname === '/impact' && u.searchParams.get('impact') === `down:${db.id},degraded:${other.id}`);
    expect(e2e.page.url()).toContain(`impact=down:${db.id},degraded:${other.id}`);
    // The analysis follows the list without another click.
    const summary = e2e.page.locator('.summary');
    await summary.waitFor();
    await expect.poll(() => busy(e2e.page)).toBe(false);
    const text = await summary.textContent();
    const services = await e2e.page.getByRole('list', { name: /Tier .* services/ }).first().textContent();
    await screenshot(e2e.page, 'address-6-impact-page');
    const url = e2e.page.url();

    // A reload shows the same list (by name, looked up), the same states and the same analysis.
    await e2e.page.reload();
    await summary.waitFor();
    await failedList.getByText(other.name).waitFor();
    await failedList.getByText(db.name).waitFor();
    expect(await e2e.page.getByRole('combobox', { name: `State of ${other.name}` }).inputValue()).toBe('degraded');
    expect(await e2e.page.getByRole('combobox', { name: `State of ${db.name}` }).inputValue()).toBe('down');
    await expect.poll(() => summary.textContent()).toBe(text);
    expect(await e2e.page.getByRole('list', { name: /Tier .* services/ }).first().textContent()).toBe(services);
    await screenshot(e2e.page, 'address-7-impact-reloaded');

    // The link pasted into a second tab (signed in by the first one) shows it too.
    const second = await e2e.browser.context.newPage();
    try {
      await second.goto(url);
      await second.locator('.summary').waitFor();
      await expect.poll(() => second.locator('.summary').textContent()).toBe(text);
      await second.getByRole('list', { name: 'Failed CIs' }).getByText(other.name).waitFor();
      await screenshot(second, 'address-8-impact-second-tab');
    } finally { await second.close(); }

    // Another view and back through the navigation: the Impact link carries the analysis.
    await tab(e2e.page, 'Changes');
    await e2e.page.getByRole('heading', { name: 'Changes' }).waitFor();
    await tab(e2e.page, 'Impact');
    await e2e.page.waitForURL((u) => u.pathname === '/impact' && u.searchParams.get('impact') === `down:${db.id},degraded:${other.id}`);
    await expect.poll(() => summary.textContent()).toBe(text);

    // Removing one recomputes and rewrites the address; Clear empties both.
    await e2e.page.getByRole('button', { name: `Remove ${other.name}` }).click();
    await e2e.page.waitForURL((u) => u.searchParams.get('impact') === `down:${db.id}`);
    await expect.poll(async () => (await summary.textContent()) !== text).toBe(true);
    await e2e.page.getByRole('button', { name: 'Clear', exact: true }).click();
    await e2e.page.waitForURL((u) => u.pathname === '/impact' && !u.searchParams.has('impact'));
    expect(await summary.count()).toBe(0);
  }, 120_000);
});

describe('the selection belongs to where it was made', () => {
  it('shows its details only on its page, closes on another map, and comes back with its address', async () => {
    await e2e.page.goto(`${e2e.srv.url}/map?focus=${db.id}`);
    await mapSettled(e2e.page);
    const target = await sg(e2e.page, (s) => s.map.graph.nodes.find((n) => !n.group && n.id !== s.map.graph.nodes[0]?.id)?.id ?? null);
    expect(target).not.toBeNull();
    const pos = await e2e.page.evaluate((id) => (window as unknown as { __servicegraph: Sg }).__servicegraph.view.renderedPosition(id)!, target!);
    const canvas = (await e2e.page.locator('.cy').boundingBox())!;
    await e2e.page.mouse.click(canvas.x + pos.x, canvas.y + pos.y);
    await e2e.page.waitForURL((u) => u.pathname === `/cis/${target}`);
    await details(e2e.page).waitFor();

    // Another view: the map's selection is not its business.
    await tab(e2e.page, 'Changes');
    await e2e.page.getByRole('heading', { name: 'Changes' }).waitFor();
    await expect.poll(() => details(e2e.page).count()).toBe(0);
    await screenshot(e2e.page, 'address-5-changes-without-selection');
    // The map beside the views still highlights it: the Impact view offers to mark it down, without its details.
    await tab(e2e.page, 'Impact');
    const name = await sg(e2e.page, (s) => s.map.graph.nodes.find((n) => n.id === s.map.selected)?.name ?? '');
    await e2e.page.getByRole('button', { name: `Mark “${name}” down` }).waitFor();
    expect(await details(e2e.page).count()).toBe(0);
    // Back on the map through its link: the map as it was, no CI open.
    await tab(e2e.page, 'Map');
    await e2e.page.waitForURL((u) => u.pathname === '/map');
    await mapSettled(e2e.page);
    expect(await details(e2e.page).count()).toBe(0);
    expect(await sg(e2e.page, (s) => s.map.selected)).toBeNull();
    // Back (past Impact and Changes): the address that named the CI opens it again.
    for (let i = 0; i < 3; i++) await e2e.page.goBack();
    await e2e.page.waitForURL((u) => u.pathname === `/cis/${target}`);
    await details(e2e.page).waitFor();

    // Another map that also shows that CI (a link followed in the app): the details close.
    await e2e.page.evaluate((id) => (window as unknown as { __servicegraph: { router: { navigate(to: string): void } } }).__servicegraph.router.navigate(`/map?focus=${id}&depth=1`), target!);
    await mapSettled(e2e.page);
    expect(await nodeIds(e2e.page)).toContain(target);
    await expect.poll(() => details(e2e.page).count()).toBe(0);
    expect(new URL(e2e.page.url()).pathname).toBe('/map');
  }, 90_000);
});
