import { beforeAll, describe, expect, it } from 'vitest';
import { inApp, mapSettled, screenshot, useE2e } from './browser.ts';

const e2e = useE2e('veil', { server: { demo: { cis: 200 } } });
type ViewState = { veiled: boolean; layoutFailure: string | null; layout: string | undefined; nodes: { x: number; y: number }[] };

/**
 * A new map is shown once it is laid out, never as a jumble that then jumps into place: opening a change's
 * page over the estate's map used to draw the blast radius's CIs where Cytoscape added them (and the CIs kept
 * from the estate's map where that map had them) for the frames ELK took to answer. Every frame is recorded:
 * where the map is visible with the final CIs, they stand where they finally stand.
 */
type Frame = { visible: boolean; nodes: Record<string, { x: number; y: number }> };


beforeAll(async () => {
  // Each animation frame: whether the map's canvas shows, and where each node is drawn.
  await e2e.browser.context.addInitScript(() => {
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

describe('a new map appears laid out', () => {
  it("opening a change's page over the estate's map never shows its blast radius before its layout", async () => {
    const db = (await e2e.srv.api('/api/v1/cis?class=database&limit=1')).body.items[0];
    const start = new Date(Date.now() + 48 * 3600_000).toISOString();
    const change = (await e2e.srv.api('/api/v1/changes', { body: { title: 'veil: patch the database', type: 'normal', window: { start, end: new Date(Date.parse(start) + 3600_000).toISOString() }, cis: [db.id] } })).body;
    const page = await e2e.signIn('/map');
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
  }, 90_000);

  it("a map being laid out says so, how many CIs it places, and offers them as a list meanwhile", async () => {
    // A busy machine, as the large blast radius of a change met it: the layout engine takes seconds (here its chunk
    // arrives late). The map used to sit blank meanwhile, saying nothing.
    const page = await e2e.browser.context.newPage();
    let release = () => {};
    const held = new Promise<void>((r) => { release = r; });
    await page.route(/cytoscape-elk-[^/]*\.js$/, async (route) => { await held; await route.continue(); });
    const db = (await e2e.srv.api('/api/v1/cis?class=database&limit=1')).body.items[0];
    await e2e.signIn(`/map?focus=${db.id}&depth=1`, { page });
    const laying = page.getByRole('status').filter({ hasText: /^Laying out \d+ CIs…/ });
    await laying.waitFor();
    const count = await inApp<number>(page, 'return sg.map.graph.nodes.length;');
    await expect(laying.textContent()).resolves.toContain(`Laying out ${count} CIs…`);
    // Nothing to outline yet: the overview is not an empty box in the corner meanwhile.
    const overview = page.locator('canvas.overview');
    await expect(overview.isVisible()).resolves.toBe(false);
    await screenshot(page, 'veil-laying-out');
    // The list is there at once, with the CIs being placed.
    await laying.getByRole('button', { name: 'Show them as a list' }).click();
    const table = page.getByRole('table', { name: `CIs on the map (${count})` });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(count + 1);
    await expect(table.getByRole('button', { name: db.name }).count()).resolves.toBeGreaterThan(0);
    expect(await laying.count()).toBe(0);
    // Once laid out, the map is back a click away, shown and saying nothing more.
    release();
    await mapSettled(page);
    await page.getByRole('toolbar', { name: 'Map tools' }).getByRole('button', { name: 'Map' }).click();
    await expect(page.evaluate(() => getComputedStyle(document.querySelector('.cy')!).opacity)).resolves.toBe('1');
    expect(await page.getByText(/Laying out/).count()).toBe(0);
    await expect(overview.isVisible()).resolves.toBe(true);
    await page.close();
  }, 90_000);

  it('a map opened again in the tab (Back, a reload) is drawn at once in the places it had, not laid out again', async () => {
    const page = await e2e.browser.context.newPage();
    const db = (await e2e.srv.api('/api/v1/cis?class=database&limit=3')).body.items[2];
    const drawn = () => inApp<{ layout: string; places: Record<string, { x: number; y: number }> }>(page,
      'const v = sg.view; return { layout: v.lastTimings.layout, places: Object.fromEntries(v.cy.nodes().map((n) => [n.id(), n.renderedPosition()])) };');
    const samePlaces = (a: Record<string, { x: number; y: number }>, b: Record<string, { x: number; y: number }>) =>
      Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([id, p]) => b[id] && Math.hypot(p.x - b[id].x, p.y - b[id].y) < 1);
    await e2e.signIn(`/map?focus=${db.id}&depth=1`, { page });
    await mapSettled(page);
    const first = await drawn();
    expect(first.layout).toBe('elk');
    // Away to another address and Back (the map within the app is kept as it is, not laid out again).
    await page.goto(`${e2e.srv.url}/calendar`);
    await page.getByRole('grid', { name: 'Week' }).waitFor();
    await page.goBack();
    await page.waitForURL((u) => u.searchParams.get('focus') === db.id);
    await mapSettled(page);
    const back = await drawn();
    expect(back.layout).toBe('elk-kept');
    expect(samePlaces(back.places, first.places)).toBe(true);
    await page.reload();
    await mapSettled(page);
    const reloaded = await drawn();
    expect(reloaded.layout).toBe('elk-kept');
    expect(samePlaces(reloaded.places, first.places)).toBe(true);
    // Another tab lays it out itself, to the same places.
    const other = await e2e.browser.context.newPage();
    try {
      await other.goto(page.url());
      await mapSettled(other);
      const there = await inApp<{ layout: string; places: Record<string, { x: number; y: number }> }>(other,
        'const v = sg.view; return { layout: v.lastTimings.layout, places: Object.fromEntries(v.cy.nodes().map((n) => [n.id(), n.renderedPosition()])) };');
      expect(there.layout).toBe('elk');
      expect(samePlaces(there.places, first.places)).toBe(true);
    } finally { await other.close(); }
    await page.close();
  }, 90_000);

  it('a map whose layout engine cannot load is laid out in layers and shown, and the engine is tried again on the next map', async () => {
    // As after an upgrade under an open tab: the old layout chunk's name is gone.
    const page = await e2e.browser.context.newPage();
    const elkChunk = /cytoscape-elk-[^/]*\.js$/;
    await page.route(elkChunk, (route) => route.abort());
    const [first, second] = (await e2e.srv.api('/api/v1/cis?class=database&limit=2')).body.items;
    const state = () => page.evaluate(() => {
      const view = (window as unknown as { __servicegraph: { view: { veiled: boolean; layoutFailure: string | null; lastTimings?: { layout: string }; cy: { nodes(): { map<T>(f: (n: { renderedPosition(): { x: number; y: number } }) => T): T[] } } } } }).__servicegraph.view;
      return { veiled: view.veiled, layoutFailure: view.layoutFailure, layout: view.lastTimings?.layout, nodes: view.cy.nodes().map((n) => n.renderedPosition()) };
    }) as Promise<ViewState>;
    await e2e.signIn(`/map?focus=${first.id}&depth=1`, { page });
    await mapSettled(page);
    const failed = await state();
    expect(failed.layoutFailure).not.toBeNull();
    expect(failed.layout).toBe('layered-fast');
    expect(failed.veiled).toBe(false);
    expect(failed.nodes.length).toBeGreaterThan(1);
    // Laid out, not piled where Cytoscape added them: no two CIs on one spot, all inside the canvas.
    const spots = new Set(failed.nodes.map((p) => `${Math.round(p.x)},${Math.round(p.y)}`));
    expect(spots.size).toBe(failed.nodes.length);
    const box = (await page.locator('canvas').first().boundingBox())!;
    for (const p of failed.nodes) expect(p.x >= 0 && p.y >= 0 && p.x <= box.width + 1 && p.y <= box.height + 1).toBe(true);
    await screenshot(page, 'veil-engine-failed');
    // The network is back: the next new map loads the engine and uses it, in the same tab.
    await page.unroute(elkChunk);
    await page.evaluate((id) => (window as unknown as { __servicegraph: { router: { navigate(to: string): void } } }).__servicegraph.router.navigate(`/map?focus=${id}&depth=1`), second.id);
    await page.waitForURL((u) => u.searchParams.get('focus') === second.id);
    await mapSettled(page);
    const recovered = await state();
    expect(recovered.layoutFailure).toBeNull();
    expect(recovered.layout).toBe('elk');
    expect(recovered.veiled).toBe(false);
    await page.close();
  }, 90_000);

  it('a map taken down while its layout engine computes leaves its element to the next view, and raises no error when the engine answers', async () => {
    // As when someone leaves a view, or the next view replaces it in the same element, before its map is laid out:
    // ELK answers after the map is gone. Its positions went through a renderer Cytoscape's destroy() had taken away
    // (endBatch read `notify` of null); and an instance destroyed only once the engine had answered emptied the
    // element then, taking the next view's canvases with it (a blank map with its overview drawn).
    const page = await e2e.browser.context.newPage();
    const db = (await e2e.srv.api('/api/v1/cis?class=database&limit=1')).body.items[0];
    await e2e.signIn(`/map?focus=${db.id}&depth=1`, { page });
    await mapSettled(page);
    const outcome = await page.evaluate(async () => {
      type View = { current: Map<string, unknown>; play(o: unknown): Promise<void>; update(els: unknown[], layout: { key: string; name: string }): Promise<unknown>; destroy(): void; cy: { container(): HTMLElement | null } };
      const view = (window as unknown as { __servicegraph: { view: View } }).__servicegraph.view;
      const element = view.cy.container()!;
      const play = view.play.bind(view);
      let started = false, answered = false, emptiedAtOnce = false;
      const next = document.createElement('canvas');
      // The map is taken down the moment the engine has been handed the graph, before it answers; the next view's
      // canvas goes into the same element at once.
      view.play = (o) => {
        const p = play(o); started = true;
        view.destroy();
        emptiedAtOnce = element.childElementCount === 0 && element.style.opacity !== '0';
        element.appendChild(next);
        void p.then(() => { answered = true; });
        return p;
      };
      // The engine must run: places kept from laying out this map before would be used instead.
      sessionStorage.removeItem('servicegraph.kept-layouts');
      void view.update([...view.current.values()], { key: 'taken-down-mid-layout', name: 'layered' });
      for (let t = 0; t < 100 && !answered; t++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 200));
      return { started, answered, emptiedAtOnce, nextViewKept: next.parentElement === element };
    });
    expect(outcome).toEqual({ started: true, answered: true, emptiedAtOnce: true, nextViewKept: true });
    await page.close();
  }, 90_000);
});
