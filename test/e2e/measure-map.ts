/**
 * Measures the map in headless Chromium (not a test: numbers for the issue note).
 *   npx tsx test/e2e/measure-map.ts [nodes] [edges]
 * 1. A synthetic focus of N nodes / M edges handed to the map as if the API had answered: time
 *    to derive elements, patch Cytoscape, lay out and draw (the layered layout and the force one).
 * 2. Frame times while panning (mouse drag) and zooming (wheel) over that map; on the layered one
 *    also deep in (70 wheel steps, to about 1:1, where no whole-map bitmap fits), a pan there, and
 *    back out.
 * 3. The same through the real API: the demo estate, everything within depth 6, group=none.
 */
import { startTestServer } from '../helpers/test-server.ts';
import { openBrowser, mapSettled, screenshot } from './browser.ts';

const N = Number(process.argv[2] ?? 5000);
const M = Number(process.argv[3] ?? 15000);

const srv = await startTestServer({ demo: { cis: 3000 } });
const b = await openBrowser();
const { page } = b;
page.on('pageerror', (e) => console.log('pageerror', e.message));
// tsx compiles with keepNames, which wraps functions passed to evaluate in a __name helper.
await page.addInitScript('window.__name = (f) => f');
try {
  await page.goto(`${srv.url}/#token=${srv.adminToken}`);
  await mapSettled(page);

  const load = (layout: 'layered' | 'force') => page.evaluate(async ({ N, M, layout }) => {
    const sg = (window as any).__servicegraph;
    const layers: [string, string, number][] = [['business', 'business_service', 0.03], ['application', 'application_service', 0.07], ['software', 'service', 0.4], ['platform', 'pod', 0.35], ['infrastructure', 'host', 0.15]];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const nodes: any[] = [];
    for (const [layer, cls, share] of layers) for (let i = 0; i < Math.round(N * share); i++) nodes.push({ id: `n${nodes.length}`, class: cls, name: `${cls}-${i}`, environment: 'production', tier: 1 + (i % 4), owner: `team-${i % 12}`, lifecycle: 'active', layer });
    const rank = (n: any) => layers.findIndex((l) => l[0] === n.layer);
    const states = ['active', 'idle', 'inactive', 'declared'];
    const edges: any[] = [];
    // Edges mostly go one layer down (a service runs on a pod that runs on a host), some skip.
    while (edges.length < M) {
      const a = nodes[Math.floor(rnd() * nodes.length)];
      const rb = Math.min(4, rank(a) + 1 + (rnd() < 0.2 ? 1 : 0));
      const pool = nodes.filter((n) => rank(n) === rb);
      const t = pool.length ? pool[Math.floor(rnd() * pool.length)] : nodes[Math.floor(rnd() * nodes.length)];
      if (t.id === a.id) continue;
      edges.push({ id: `e${edges.length}`, type: 'DEPENDS_ON', from: a.id, to: t.id, provenance: ['observed'], state: states[edges.length % 4], redundancy: null });
    }
    sg.map.layout = layout;
    const before = sg.view.lastTimings;
    const t0 = performance.now();
    sg.map.graph = { nodes, edges, truncated: false };
    sg.map.epoch++;
    await new Promise<void>((r) => { const poll = () => (sg.view.lastTimings !== before && sg.view.lastTimings.layout !== 'superseded' ? r() : requestAnimationFrame(poll)); poll(); });
    return { totalMs: Math.round(performance.now() - t0), ...sg.view.lastTimings, nodes: nodes.length, edges: edges.length };
  }, { N, M, layout });

  const frames = async (what: 'pan' | 'zoom' | 'deep-in' | 'deep-out') => {
    const box = (await page.locator('.cy').boundingBox())!;
    const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
    await page.evaluate(() => {
      const w = window as any;
      w.__frames = [];
      let last = performance.now();
      const tick = (t: number) => { w.__frames.push(t - last); last = t; if (w.__frames.length < 10_000) w.__raf = requestAnimationFrame(tick); };
      w.__raf = requestAnimationFrame(tick);
    });
    if (what === 'pan') {
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      for (let i = 0; i < 60; i++) await page.mouse.move(cx + Math.sin(i / 6) * 200, cy + Math.cos(i / 6) * 120, { steps: 1 });
      await page.mouse.up();
    } else if (what === 'zoom') {
      await page.mouse.move(cx, cy);
      for (let i = 0; i < 40; i++) await page.mouse.wheel(0, i < 20 ? -120 : 120);
    } else {
      await page.mouse.move(cx + 150, cy - 60);
      for (let i = 0; i < 70; i++) await page.mouse.wheel(0, what === 'deep-in' ? -120 : 120);
    }
    // After a deep zoom, wait longer: work done once the view rests (a restyle, rebuilding cached
    // bitmaps) shows up as long frames too, and would hit the next gesture.
    await page.waitForTimeout(what.startsWith('deep') ? 1500 : 300);
    const f: number[] = await page.evaluate(() => { const w = window as any; cancelAnimationFrame(w.__raf); return w.__frames.slice(1); });
    const sorted = [...f].sort((a, b) => a - b);
    const pct = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
    const zoom = await page.evaluate(() => Math.round((window as any).__servicegraph.view.cy.zoom() * 1000) / 1000);
    return { what, zoom, frames: f.length, p50: pct(0.5), p95: pct(0.95), max: Math.round(sorted[sorted.length - 1]), over50: f.filter((x) => x > 50).length };
  };

  console.log('layered', await load('layered'));
  await screenshot(page, 'perf-layered-5000');
  console.log(JSON.stringify(await frames('pan')));
  console.log(JSON.stringify(await frames('zoom')));
  await screenshot(page, 'perf-after-zoom');
  console.log(JSON.stringify(await frames('deep-in')));
  console.log(JSON.stringify(await frames('pan')));
  await screenshot(page, 'perf-deep-zoom');
  console.log(JSON.stringify(await frames('deep-out')));
  console.log('force', await load('force'));
  await screenshot(page, 'perf-force-5000');
  console.log(JSON.stringify(await frames('pan')));
  console.log(JSON.stringify(await frames('zoom')));

  // Through the real API: fetch + parse + the same client path.
  const real = await page.evaluate(async () => {
    const sg = (window as any).__servicegraph;
    sg.map.layout = 'layered';
    const token = sessionStorage.getItem('servicegraph.token');
    const t0 = performance.now();
    const res = await fetch('/api/v1/graph?depth=6&direction=both&group=none', { headers: { authorization: `Bearer ${token}` } });
    const g = await res.json();
    const t1 = performance.now();
    const before = sg.view.lastTimings;
    sg.map.graph = g;
    sg.map.epoch++;
    await new Promise<void>((r) => { const poll = () => (sg.view.lastTimings !== before ? r() : requestAnimationFrame(poll)); poll(); });
    return { fetchMs: Math.round(t1 - t0), totalMs: Math.round(performance.now() - t0), nodes: g.nodes.length, edges: g.edges.length, ...sg.view.lastTimings };
  });
  console.log('api', real);
  await screenshot(page, 'perf-api-demo');
} finally {
  await b.close();
  await srv.close();
}
