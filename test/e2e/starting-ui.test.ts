import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startSlowServer, type SlowStart } from '../helpers/slow-start.ts';
import { mapSettled, screenshot, useBrowser } from './browser.ts';

/**
 * A person opening the app while the server starts (it listens before its projection is loaded): the app says
 * "servicegraph is starting — loading N of M CIs" instead of failing, and shows the map by itself once the
 * server has started; a reload and a second tab then show it too. Screenshots: test-results/starting-*.png.
 */
let slow: SlowStart;

beforeAll(async () => {
  slow = await startSlowServer({ cis: 300, config: { webDist: join(process.cwd(), 'web', 'dist') } });
}, 120_000);

afterAll(async () => {
  await slow?.close();
});

// After the server's hooks: the browser closes first.
const b = useBrowser('starting', { width: 1100, height: 700 });

describe('the app while the server starts', () => {
  it('says the server is starting with its progress, then shows the map once it has started; reload and a second tab too', async () => {
    const url = await slow.url;
    const { page } = b;
    await page.goto(`${url}/map#token=${slow.token}`);
    const notice = page.getByRole('status').filter({ hasText: 'servicegraph is starting' });
    const total = (await slow.store.topologySize()).cis.toLocaleString('en-US');
    await expect.poll(() => notice.textContent()).toBe(`servicegraph is starting — loading 50 of ${total} CIs`);
    await screenshot(page, 'starting-notice');

    slow.store.letGo();
    await slow.started;
    await mapSettled(page);
    expect(await notice.count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Views' }).isVisible()).toBe(true);
    const nodes = await page.evaluate(() => (window as unknown as { __servicegraph: { map: { graph: { nodes: unknown[] } } } }).__servicegraph.map.graph.nodes.length);
    expect(nodes).toBeGreaterThan(0);
    await screenshot(page, 'starting-then-map');

    await page.reload();
    await mapSettled(page);
    const second = await b.browser.context.newPage();
    await second.goto(page.url());
    await mapSettled(second);
    expect(await second.getByRole('status').filter({ hasText: 'servicegraph is starting' }).count()).toBe(0);
    await screenshot(second, 'starting-second-tab');
    await second.close();
  }, 60_000);
});
