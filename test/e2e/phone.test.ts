import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { mapSettled, openBrowser, screenshot, type TestBrowser } from './browser.ts';

/**
 * The service-desk agent on a 390×844 phone: "show me what checkout depends on". The map comes first, one screen
 * under the search, its filters folded under one button; a CI's details rise from the bottom folded to its name,
 * so they do not hide the map just searched for. Screenshots land in test-results/phone-*.png.
 */
const PHONE = { width: 390, height: 844 };
let srv: TestServer;
let b: TestBrowser;
let page: Page;
let svc: { id: string; name: string };
const errors: string[] = [];

beforeAll(async () => {
  srv = await startTestServer({ demo: { cis: 800 } });
  svc = (await srv.api('/api/v1/cis?class=service&environment=production&limit=1')).body.items[0];
  b = await openBrowser(PHONE);
  page = b.page;
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => errors.push(e.message));
}, 180_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && page && !page.isClosed()) await screenshot(page, `phone-failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

afterAll(async () => {
  await b?.close();
  await srv?.close();
});

const filtersButton = (p: Page) => p.getByRole('button', { name: /Filters, groups, export|Hide filters/ });
const details = (p: Page) => p.getByRole('complementary', { name: 'Selected CI' });

/** The map on one screen with the page above it: none of it below the window, most of the window its own. */
async function expectMapFirst(p: Page) {
  await mapSettled(p);
  const map = (await p.locator('main.map').boundingBox())!;
  expect(map.y + map.height).toBeLessThanOrEqual(PHONE.height + 1);
  expect(map.height).toBeGreaterThan(PHONE.height * 0.6);
  expect(await p.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(PHONE.height + 1);
  expect(await p.getByLabel('Depth').isVisible()).toBe(false);
  expect(await filtersButton(p).getAttribute('aria-expanded')).toBe('false');
}

describe('the service-desk agent on a phone', () => {
  it('finds a service on the map without scrolling past the filters, opens its details, and finds it all again after a reload and in a second tab', async () => {
    await page.goto(`${srv.url}/map#token=${srv.adminToken}`, { timeout: 45_000 });
    await expectMapFirst(page);
    await expect(filtersButton(page).textContent()).resolves.toContain('depth 2 · both directions');
    await screenshot(page, 'phone-1-map');

    // The filters unfold under their button, and what they hold is told on it once folded again.
    await filtersButton(page).click();
    await page.getByLabel('Depth').fill('3');
    await page.getByLabel('Depth').dispatchEvent('change');
    await page.getByRole('combobox', { name: 'Direction' }).selectOption('downstream');
    await screenshot(page, 'phone-2-filters');
    await filtersButton(page).click();
    await expect(filtersButton(page).textContent()).resolves.toContain('depth 3 · downstream');

    const search = page.getByRole('combobox', { name: /Find a CI to focus on/ });
    await search.fill(svc.name);
    await page.getByRole('option').filter({ hasText: svc.name }).first().waitFor();
    await search.press('Enter');
    // The first match (the service, or its workload of the same name) is the CI of the address.
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/cis\/ci-/);
    await expectMapFirst(page);
    // Its details: folded to its name at the bottom, over a strip of the map, until asked for.
    await details(page).getByRole('heading', { name: svc.name }).waitFor();
    const folded = (await details(page).boundingBox())!;
    expect(folded.height).toBeLessThan(80);
    expect(folded.y + folded.height).toBeCloseTo(PHONE.height, 0);
    await screenshot(page, 'phone-3-found');
    await details(page).getByRole('button', { name: 'Details ▴' }).click();
    await details(page).getByRole('heading', { name: 'Relations' }).waitFor();
    const open = (await details(page).boundingBox())!;
    expect(open.height).toBeGreaterThan(PHONE.height * 0.5);
    // The navigation stays in sight above them.
    const nav = (await page.getByRole('navigation', { name: 'Views' }).boundingBox())!;
    expect(nav.y + nav.height).toBeLessThan(open.y);
    await screenshot(page, 'phone-4-details');

    // The address holds the map: a reload and a second tab show it again, filters folded, the CI's details folded.
    const address = page.url();
    expect(new URL(address).searchParams.get('depth')).toBe('3');
    await page.reload();
    await expectMapFirst(page);
    await expect(filtersButton(page).textContent()).resolves.toContain('depth 3 · downstream');
    await details(page).getByRole('button', { name: 'Details ▴' }).waitFor();
    const second = await b.context.newPage();
    try {
      second.setDefaultTimeout(15_000);
      await second.goto(address);
      await expectMapFirst(second);
      await details(second).getByRole('heading', { name: svc.name }).waitFor();
      await screenshot(second, 'phone-5-second-tab');
    } finally { await second.close(); }
  }, 120_000);

  it('on a page other than the map, a CI tapped on the map opens as the same sheet, the page and navigation above it', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Incidents', exact: true }).click();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await mapSettled(page);
    // A tap on the map's CI, as the map's own click does: select it.
    await page.evaluate((id) => { (window as unknown as { __servicegraph: { map: { selected: string | null } } }).__servicegraph.map.selected = id; }, svc.id);
    await details(page).getByRole('heading', { name: svc.name }).waitFor();
    const folded = (await details(page).boundingBox())!;
    expect(folded.height).toBeLessThan(80);
    await details(page).getByRole('button', { name: 'Details ▴' }).click();
    await details(page).getByRole('heading', { name: 'Relations' }).waitFor();
    const open = (await details(page).boundingBox())!;
    const nav = (await page.getByRole('navigation', { name: 'Views' }).boundingBox())!;
    expect(nav.y + nav.height).toBeLessThan(open.y);
    expect(open.y + open.height).toBeCloseTo(PHONE.height, 0);
    await screenshot(page, 'phone-6-incidents-details');
    await details(page).getByRole('button', { name: 'Close details' }).click();
    await expect.poll(() => details(page).count()).toBe(0);
  });

  it('raised no uncaught error in the pages', () => {
    expect(errors).toEqual([]);
  });
});
