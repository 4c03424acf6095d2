import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { transformEc2 } from '../../collectors/aws/transform.ts';
import { mapSettled, screenshot, useE2e } from './browser.ts';

/**
 * A person opens the map around an EC2 subnet the aws collector pushed (Cartography's DescribeInstances answer):
 * the subnet and the VPC drawn as networks with their icon, the three instances in the subnet, their security
 * groups and interfaces, "Network" in the legend; the same after a reload and in a second tab.
 * Screenshots: test-results/web-aws-subnet-map.png, and web-aws-subnet.png with the legend open.
 */
const e2e = useE2e('aws-map');
type Node = { data(k: string): string; hasClass(c: string): boolean; style(k: string): string };
type Sg = { map: { focusOn(ids: string[]): void }; view: { cy: { nodes(sel?: string): { map<T>(f: (n: Node) => T): T[] } } } };

let subnet: string;

beforeAll(async () => {
  const doc = JSON.parse(readFileSync('/work/shared/data/aws-ec2/cartography_ec2_instances.json', 'utf8'));
  const [run] = transformEc2({ reservations: doc.DESCRIBE_INSTANCES.Reservations, networkInterfaces: [] }).runs;
  const res = await e2e.srv.api('/api/v1/ingest', { method: 'POST', body: { source: 'aws', scope: run.scope, complete: true, cis: run.cis, relations: run.relations } });
  expect(res.status).toBe(200);
  subnet = (await e2e.srv.api('/api/v1/cis?class=network&q=SOME_SUBNET_1')).body.items[0].id;
}, 180_000);

async function showSubnet(page: Page) {
  await e2e.signIn('/', { page });
  await mapSettled(page);
  await page.evaluate((id) => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.focusOn([id]), subnet);
  await mapSettled(page);
  return page.evaluate(() => (window as unknown as { __servicegraph: Sg }).__servicegraph.view.cy.nodes().map((n) => ({
    network: n.hasClass('cls-network'), host: n.hasClass('cls-host'), icon: n.style('background-image'),
  })));
}

describe('an EC2 subnet on the map', () => {
  it('draws the subnet as a network with its icon and the instances that depend on it', async () => {
    const nodes = await showSubnet(e2e.page);
    const networks = nodes.filter((n) => n.network);
    // The subnet and its VPC (two hops away through the instances).
    expect(networks).toHaveLength(2);
    for (const n of networks) expect(n.icon).toMatch(/^data:image\/svg\+xml/);
    expect(nodes.filter((n) => n.host)).toHaveLength(3);
    await screenshot(e2e.page, 'web-aws-subnet-map');
    await e2e.page.getByText('Legend').click();
    // "Network" among the infrastructure classes, beside "Network device".
    expect(await e2e.page.locator('.legend .layers').innerText()).toMatch(/Network device\s+Network\s+Storage/);
    await screenshot(e2e.page, 'web-aws-subnet');
  });

  it('shows the same after a reload and in a second tab', async () => {
    await e2e.page.reload();
    expect((await showSubnet(e2e.page)).filter((n) => n.host)).toHaveLength(3);
    const second = await e2e.browser.context.newPage();
    expect((await showSubnet(second)).filter((n) => n.host)).toHaveLength(3);
    await second.close();
  });
});
