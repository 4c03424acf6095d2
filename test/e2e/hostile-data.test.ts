import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ingest } from '../../server/ingest/ingest-service.ts';
import { configFromEnv } from '../../server/config.ts';
import { inApp, mapSettled, screenshot, useE2e } from './browser.ts';

/**
 * The web app shows what collectors and people named, whatever they named it: HTML and script in names and titles
 * are text (nothing runs, nothing is inserted), a 494-character name does not push the page sideways, right-to-left
 * names and emoji show as written, and a name with a right-to-left override stored before the API refused it stays
 * inside its own box. On the map (labels and tooltips), its list, the search, and a change's page, through a reload
 * and in a second tab. Screenshots land in test-results/hostile-*.png.
 */
const e2e = useE2e('hostile');
const PWN_IMG = '<img src=x onerror="window.__pwned=\'img\'">';
const PWN_SCRIPT = '<script>window.__pwned="script"</script>';
const LONG = 'checkout-' + 'very-long-service-name-'.repeat(21);
const HEBREW = 'שירות-תשלומים';
const ARABIC = 'خدمة الدفع';
const EMOJI = '🚀 rocket 👨‍👩‍👧';
const RLO = 'invoice\u202Egnp.exe';
const DB = 'orders "db" & <b>bold</b>';
const dependents = [PWN_IMG, PWN_SCRIPT, LONG, HEBREW, ARABIC, EMOJI];

let db: { id: string };
let changeId: string;

/** What would show that hostile text ran or became markup, and whether the page grew sideways. */
async function harmless(p: Page) {
  return p.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: string }).__pwned ?? null,
    injected: document.querySelectorAll('img[src="x"], b, script:not([src]):not([type="module"])').length,
    sideways: document.documentElement.scrollWidth - window.innerWidth,
  }));
}

beforeAll(async () => {
  const cis = [...dependents, DB].map((name) => ({ class: name === DB ? 'database' : 'service', name, environment: 'production', tier: 1 }));
  const relations = dependents.map((name) => ({ type: 'DEPENDS_ON', from: { class: 'service', name, environment: 'production' }, to: { class: 'database', name: DB, environment: 'production' } }));
  expect((await e2e.srv.api('/api/v1/ingest', { body: { source: 'manual', cis, relations } })).status).toBe(200);
  // Stored below the API, as an older server let it in (the API refuses it now).
  await ingest(e2e.srv.store, { source: 'manual', scope: 'old', complete: false, force: false, cis: [{ class: 'service', name: RLO, environment: 'production' }],
    relations: [{ type: 'DEPENDS_ON', from: { class: 'service', name: RLO, environment: 'production' }, to: { class: 'database', name: DB, environment: 'production' } }] }, { limits: configFromEnv({}).limits, maxRetireShare: 1 });
  await e2e.srv.feed.poke();
  db = (await e2e.srv.api('/api/v1/cis?class=database')).body.items[0];
  const window = { start: new Date(Date.now() + 48 * 3600_000).toISOString(), end: new Date(Date.now() + 50 * 3600_000).toISOString() };
  const change = await e2e.srv.api('/api/v1/changes', { body: { title: `${PWN_IMG} ${HEBREW} ${EMOJI}`, description: PWN_SCRIPT, type: 'normal', window, cis: [db.id] } });
  expect(change.status).toBe(201);
  changeId = change.body.id;
}, 180_000);

describe('hostile names in the web app', () => {
  it('the map labels every name as text, and a hovered name\'s tooltip holds it as text, isolated and within the window', async () => {
    await e2e.signIn(`/map?focus=${db.id}&direction=upstream`);
    await mapSettled(e2e.page);
    const labels = await inApp<string[]>(e2e.page, 'return sg.view.cy.nodes().map((n) => n.data("label"));');
    for (const name of [...dependents, RLO, DB]) expect(labels.some((l) => l.startsWith(name)), name).toBe(true);
    expect(await harmless(e2e.page)).toEqual({ pwned: null, injected: 0, sideways: 0 });
    await screenshot(e2e.page, 'hostile-1-map');

    for (const name of [PWN_IMG, LONG, RLO]) {
      const at = await inApp<{ x: number; y: number }>(e2e.page, `const n = sg.view.cy.nodes().filter((n) => n.data('label').startsWith(${JSON.stringify(name)}))[0]; return n.renderedPosition();`);
      const canvas = (await e2e.page.locator('.cy').boundingBox())!;
      await e2e.page.mouse.move(canvas.x + at.x, canvas.y + at.y);
      const tip = e2e.page.getByRole('tooltip');
      await expect.poll(() => tip.locator('bdi').textContent()).toBe(name);
      const box = (await tip.boundingBox())!;
      expect(box.width).toBeLessThanOrEqual(1280 * 0.9 + 1);
      if (name === RLO) await screenshot(e2e.page, 'hostile-2-tooltip-rlo');
      if (name === LONG) await screenshot(e2e.page, 'hostile-2-tooltip-long');
      await e2e.page.mouse.move(canvas.x + 5, canvas.y + canvas.height - 5);
    }
    expect(await harmless(e2e.page)).toEqual({ pwned: null, injected: 0, sideways: 0 });
  });

  it('the map\'s list shows every name as written, and the long one does not push the page sideways', async () => {
    await e2e.page.getByRole('button', { name: 'List', exact: true }).click();
    const rows = e2e.page.locator('table th[scope="row"]');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(dependents.length + 2);
    const shown = await rows.allTextContents();
    for (const name of [...dependents, RLO, DB]) expect(shown.map((t) => t.trim()), name).toContain(name);
    // The stored override ends with its name: the sentence after it reads in order.
    const relations = await e2e.page.locator('table td').allTextContents();
    expect(relations).toContain(`\u2068${RLO}\u2069 depends on ${DB}`);
    expect(await harmless(e2e.page)).toEqual({ pwned: null, injected: 0, sideways: 0 });
    await screenshot(e2e.page, 'hostile-3-list');
    await e2e.page.getByRole('button', { name: 'Map', exact: true }).click();
  });

  it('the search finds a name with markup and shows it as text', async () => {
    const search = e2e.page.getByRole('combobox', { name: 'Find a CI to focus on (Shift+Enter adds it)' });
    await search.fill('<img');
    const option = e2e.page.getByRole('option').first();
    await expect.poll(() => option.locator('bdi').textContent()).toBe(PWN_IMG);
    await search.fill(HEBREW);
    await expect.poll(() => e2e.page.getByRole('option').first().locator('bdi').textContent()).toBe(HEBREW);
    expect(await harmless(e2e.page)).toEqual({ pwned: null, injected: 0, sideways: 0 });
    await screenshot(e2e.page, 'hostile-4-search');
    await search.fill('');
  });

  it('a change titled with markup, Hebrew and emoji shows its title and description as text, through a reload and in a second tab', async () => {
    await e2e.page.goto(`${e2e.srv.url}/changes/${changeId}`);
    const heading = e2e.page.getByRole('heading', { name: `${PWN_IMG} ${HEBREW} ${EMOJI}` });
    await heading.waitFor();
    await e2e.page.getByText(PWN_SCRIPT).first().waitFor();
    await mapSettled(e2e.page);
    expect(await harmless(e2e.page)).toEqual({ pwned: null, injected: 0, sideways: 0 });
    await screenshot(e2e.page, 'hostile-5-change');
    await e2e.page.reload();
    await heading.waitFor();
    await mapSettled(e2e.page);
    expect(await harmless(e2e.page)).toEqual({ pwned: null, injected: 0, sideways: 0 });

    const second = await e2e.browser.context.newPage();
    await second.goto(`${e2e.srv.url}/map?focus=${db.id}&direction=upstream`);
    await mapSettled(second);
    expect(await harmless(second)).toEqual({ pwned: null, injected: 0, sideways: 0 });
    await screenshot(second, 'hostile-6-second-tab');
    await second.close();
  });
});
