import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectCompose } from '../../collectors/compose/index.ts';
import { mapSettled, screenshot, useE2e } from './browser.ts';

/**
 * A person looks at eShopOnContainers on the map: the status page's health checks are drawn as
 * monitoring (dotted purple, hollow arrow, "monitors" in the legend), not as dependencies, and stay so
 * after a reload and in a second tab. Screenshot: test-results/web-monitors-edges.png.
 */
const e2e = useE2e('monitors');
type Cy = { edges(sel?: string): { length: number; map<T>(f: (e: { data(k: string): string; style(k: string): string }) => T): T[] } };
type Sg = { map: { focusOn(ids: string[]): void }; view: { cy: Cy } };

let webstatus: string;

beforeAll(async () => {
  const c = collectCompose(join(import.meta.dirname, '../fixtures/compose/eshop'), { env: {} });
  const res = await e2e.srv.api('/api/v1/ingest', { method: 'POST', body: { source: 'compose', scope: c.scope, complete: true, cis: c.cis, relations: c.relations } });
  expect(res.status).toBe(200);
  webstatus = (await e2e.srv.api('/api/v1/cis?q=webstatus')).body.items[0].id;
}, 180_000);

async function showWebstatus(page: Page) {
  await e2e.signIn('/', { page });
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
    const edges = await showWebstatus(e2e.page);
    expect(edges.filter((e) => e.source === webstatus)).toHaveLength(8);
    // Every health check of the project ends at a CI the status page polls, so all 11 are on the map.
    expect(edges).toHaveLength(11);
    for (const e of edges) expect(e).toMatchObject({ style: 'dotted', colour: 'rgb(142,108,196)', arrow: 'hollow' });
    await e2e.page.getByText('Legend').click();
    await e2e.page.getByText('monitors', { exact: true }).waitFor();
    await screenshot(e2e.page, 'web-monitors-edges');
  });

  it('shows the same after a reload and in a second tab', async () => {
    await e2e.page.reload();
    expect(await showWebstatus(e2e.page)).toHaveLength(11);
    const second = await e2e.browser.context.newPage();
    expect(await showWebstatus(second)).toHaveLength(11);
    await second.close();
  });
});
