import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { mapSettled, screenshot, useE2e } from './browser.ts';

/**
 * The service-desk agent on a 390×844 phone: "show me what checkout depends on". The map comes first, one screen
 * under the search, its filters folded under one button; a CI's details rise from the bottom folded to its name,
 * so they do not hide the map just searched for. Screenshots land in test-results/phone-*.png.
 */
const PHONE = { width: 390, height: 844 };
const e2e = useE2e('phone', { server: { demo: { cis: 800 } }, ...PHONE });
let svc: { id: string; name: string };

beforeAll(async () => {
  svc = (await e2e.srv.api('/api/v1/cis?class=service&environment=production&limit=1')).body.items[0];
}, 180_000);

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
    await e2e.signIn('/map', { timeout: 45_000 });
    await expectMapFirst(e2e.page);
    await expect(filtersButton(e2e.page).textContent()).resolves.toContain('depth 2 · both directions');
    await screenshot(e2e.page, 'phone-1-map');

    // The filters unfold under their button, and what they hold is told on it once folded again.
    await filtersButton(e2e.page).click();
    await e2e.page.getByLabel('Depth').fill('3');
    await e2e.page.getByLabel('Depth').dispatchEvent('change');
    await e2e.page.getByRole('combobox', { name: 'Direction' }).selectOption('downstream');
    await screenshot(e2e.page, 'phone-2-filters');
    await filtersButton(e2e.page).click();
    await expect(filtersButton(e2e.page).textContent()).resolves.toContain('depth 3 · downstream');

    const search = e2e.page.getByRole('combobox', { name: /Find a CI to focus on/ });
    await search.fill(svc.name);
    await e2e.page.getByRole('option').filter({ hasText: svc.name }).first().waitFor();
    await search.press('Enter');
    // The first match (the service, or its workload of the same name) is the CI of the address.
    await expect.poll(() => new URL(e2e.page.url()).pathname).toMatch(/^\/cis\/ci-/);
    await expectMapFirst(e2e.page);
    // Its details: folded to its name at the bottom, over a strip of the map, until asked for.
    await details(e2e.page).getByRole('heading', { name: svc.name }).waitFor();
    const folded = (await details(e2e.page).boundingBox())!;
    expect(folded.height).toBeLessThan(80);
    expect(folded.y + folded.height).toBeCloseTo(PHONE.height, 0);
    // Folded, it is its handle and the CI's name, whole: nothing in it shows cut off at its edge (it showed half a line).
    await expect(details(e2e.page).evaluate((sheet) => {
      const bottom = sheet.getBoundingClientRect().bottom;
      return [...sheet.querySelectorAll('*')].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.height > 0 && r.top < bottom && r.bottom > bottom + 0.5;
      }).map((el) => `${el.tagName.toLowerCase()} ${(el.textContent ?? '').trim().slice(0, 30)}`);
    })).resolves.toEqual([]);
    await screenshot(e2e.page, 'phone-3-found');
    await details(e2e.page).getByRole('button', { name: 'Details ▴' }).click();
    await details(e2e.page).getByRole('heading', { name: 'Relations' }).waitFor();
    const open = (await details(e2e.page).boundingBox())!;
    expect(open.height).toBeGreaterThan(PHONE.height * 0.5);
    // The navigation stays in sight above them.
    const nav = (await e2e.page.getByRole('navigation', { name: 'Views' }).boundingBox())!;
    expect(nav.y + nav.height).toBeLessThan(open.y);
    await screenshot(e2e.page, 'phone-4-details');

    // The address holds the map: a reload and a second tab show it again, filters folded, the CI's details folded.
    const address = e2e.page.url();
    expect(new URL(address).searchParams.get('depth')).toBe('3');
    await e2e.page.reload();
    await expectMapFirst(e2e.page);
    await expect(filtersButton(e2e.page).textContent()).resolves.toContain('depth 3 · downstream');
    await details(e2e.page).getByRole('button', { name: 'Details ▴' }).waitFor();
    const second = await e2e.browser.context.newPage();
    try {
      await second.goto(address);
      await expectMapFirst(second);
      await details(second).getByRole('heading', { name: svc.name }).waitFor();
      await screenshot(second, 'phone-5-second-tab');
    } finally { await second.close(); }
  }, 120_000);

  it('on a page other than the map, a CI tapped on the map opens as the same sheet, the page and navigation above it', async () => {
    await e2e.page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Incidents', exact: true }).click();
    await e2e.page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await mapSettled(e2e.page);
    // A tap on the map's CI, as the map's own click does: select it.
    await e2e.page.evaluate((id) => { (window as unknown as { __servicegraph: { map: { selected: string | null } } }).__servicegraph.map.selected = id; }, svc.id);
    await details(e2e.page).getByRole('heading', { name: svc.name }).waitFor();
    const folded = (await details(e2e.page).boundingBox())!;
    expect(folded.height).toBeLessThan(80);
    await details(e2e.page).getByRole('button', { name: 'Details ▴' }).click();
    await details(e2e.page).getByRole('heading', { name: 'Relations' }).waitFor();
    const open = (await details(e2e.page).boundingBox())!;
    const nav = (await e2e.page.getByRole('navigation', { name: 'Views' }).boundingBox())!;
    expect(nav.y + nav.height).toBeLessThan(open.y);
    expect(open.y + open.height).toBeCloseTo(PHONE.height, 0);
    await screenshot(e2e.page, 'phone-6-incidents-details');
    await details(e2e.page).getByRole('button', { name: 'Close details' }).click();
    await expect.poll(() => details(e2e.page).count()).toBe(0);
  });
});
