import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectCompose } from '../../collectors/compose/index.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { mapSettled, openBrowser, screenshot, type TestBrowser } from './browser.ts';

/**
 * A person looks at eShopOnContainers on the map: the status page's health checks are drawn as
 * monitoring (dotted purple, hollow arrow, "monitors" in the legend), not as dependencies, and stay so
 * after a reload and in a second tab. Screenshot: test-results/web-monitors-edges.png.
 */
type Cy = { edges(sel?: string): { length: number; map<T>(f: (e: { data(k: string): string; style(k: string): string }) => T): T[] } };
type Sg = { map: { focusOn(ids: string[]): void }; view: { cy: Cy } };

let srv: TestServer;
let b: TestBrowser;
let webstatus: string;

beforeAll(async () => {
  srv = await startTestServer();
  const c = collectCompose(join(import.meta.dirname, '../fixtures/compose/eshop'), { env: {} });
  const res = await srv.api('/api/v1/ingest', { method: 'POST', body: { source: 'compose', scope: c.scope, complete: true, cis: c.cis, relations: c.relations } });
  expect(res.status).toBe(200);
  webstatus = (await srv.api('/api/v1/cis?q=webstatus')).body.items[0].id;
  b = await openBrowser();
}, 180_000);

afterAll(async () => {
  await b?.close();
  await srv?.close();
});

async function showWebstatus(page: TestBrowser['page']) {
  await page.goto(`${srv.url}/#token=${srv.adminToken}`);
  await mapSettled(page);
  await page.evaluate((id) => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.focusOn([id]), webstatus);
  await mapSettled(page);
  return page.evaluate(() => {
    const cy = (window as unknown as { __servicegraph: Sg }).__servicegraph.view.cy;
    return cy.edges('.rel-MONITORS').map((e) => ({ source: e.data('source'), style: e.style('line-style'), colour: e.style('line-color'), arrow: e.style('target-arrow-fill') }));
  });
}

describe('MONITORS edges on the map', () => {
  it('draws the status page\'s eight health checks dotted purple with hollow arrows, and names them in the legend', async () => {
    const edges = await showWebstatus(b.page);
    expect(edges.filter((e) => e.source === webstatus)).toHaveLength(8);
    // Every health check of the project ends at a CI the status page polls, so all 11 are on the map.
    expect(edges).toHaveLength(11);
    for (const e of edges) expect(e).toMatchObject({ style: 'dotted', colour: 'rgb(142,108,196)', arrow: 'hollow' });
    await b.page.getByText('Legend').click();
    await b.page.getByText('monitors', { exact: true }).waitFor();
    await screenshot(b.page, 'web-monitors-edges');
  });

  it('shows the same after a reload and in a second tab', async () => {
    await b.page.reload();
    expect(await showWebstatus(b.page)).toHaveLength(11);
    const second = await b.context.newPage();
    expect(await showWebstatus(second)).toHaveLength(11);
    await second.close();
  });
});
