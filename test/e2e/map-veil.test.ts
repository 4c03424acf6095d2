import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { mapSettled, openBrowser, screenshot, type TestBrowser } from './browser.ts';

/**
 * A new map is shown once it is laid out, never as a jumble that then jumps into place: opening a change's
 * page over the estate's map used to draw the blast radius's CIs where Cytoscape added them (and the CIs kept
 * from the estate's map where that map had them) for the frames ELK took to answer. Every frame is recorded:
 * where the map is visible with the final CIs, they stand where they finally stand.
 */
type Frame = { visible: boolean; nodes: Record<string, { x: number; y: number }> };

let srv: TestServer;
let b: TestBrowser;
const errors: string[] = [];

beforeAll(async () => {
  srv = await startTestServer({ demo: { cis: 200 } });
  b = await openBrowser({ width: 1280, height: 800 });
  b.page.setDefaultTimeout(15_000);
  b.page.on('pageerror', (e) => errors.push(e.message));
  // Each animation frame: whether the map's canvas shows, and where each node is drawn.
  await b.context.addInitScript(() => {
    const frames: unknown[] = [];
    (window as unknown as { __frames: unknown[] }).__frames = frames;
    const tick = () => {
      const view = (window as unknown as { __servicegraph?: { view?: { cy: { container(): HTMLElement; nodes(): { forEach(f: (n: { id(): string; renderedPosition(): { x: number; y: number } }) => void): void } } } } }).__servicegraph?.view;
      if (view) {
        const nodes: Record<string, { x: number; y: number }> = {};
        view.cy.nodes().forEach((n) => { nodes[n.id()] = n.renderedPosition(); });
        frames.push({ visible: getComputedStyle(view.cy.container()).opacity !== '0', nodes });
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}, 120_000);

afterAll(async () => {
  await b?.close();
  await srv?.close();
});

describe('a new map appears laid out', () => {
  it("opening a change's page over the estate's map never shows its blast radius before its layout", async () => {
    const db = (await srv.api('/api/v1/cis?class=database&limit=1')).body.items[0];
    const start = new Date(Date.now() + 48 * 3600_000).toISOString();
    const change = (await srv.api('/api/v1/changes', { body: { title: 'veil: patch the database', type: 'normal', window: { start, end: new Date(Date.parse(start) + 3600_000).toISOString() }, cis: [db.id] } })).body;
    const page = b.page;
    await page.goto(`${srv.url}/map#token=${srv.adminToken}`);
    await mapSettled(page);
    await page.evaluate(() => { (window as unknown as { __frames: unknown[] }).__frames.length = 0; });
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Changes', exact: true }).click();
    await page.getByRole('link', { name: 'veil: patch the database' }).click();
    await page.getByText('CIs could be hit').waitFor();
    await mapSettled(page);
    await new Promise((r) => setTimeout(r, 300));
    const frames = await page.evaluate(() => (window as unknown as { __frames: Frame[] }).__frames);
    const last = frames.at(-1)!;
    const ids = Object.keys(last.nodes).sort();
    expect(ids).toContain(db.id);
    expect(last.visible).toBe(true);
    // The frames that drew the change's map: once its CIs were in, before or after its layout.
    const ofTheChange = frames.filter((f) => Object.keys(f.nodes).sort().join() === ids.join());
    expect(ofTheChange.length).toBeGreaterThan(0);
    const misplaced = ofTheChange.filter((f) => f.visible && ids.some((id) => Math.hypot(f.nodes[id].x - last.nodes[id].x, f.nodes[id].y - last.nodes[id].y) > 1));
    expect(misplaced.length).toBe(0);
    await screenshot(page, 'veil-change-map');
    expect(change.id).toMatch(/^chg-/);
    expect(errors).toEqual([]);
  }, 90_000);
});
