import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { allCis, startTestServer } from '../helpers/test-server.ts';
import { alertmanagerBody } from '../fixtures/alerts.ts';
import { mapSettled, screenshot, useE2e } from './browser.ts';

/**
 * The Now page in Chromium: an on-call engineer opens /now while a database is down and its
 * dependents alert; they see one situation with its cause, put it on the map (health drawn live),
 * watch a new alert join without reloading, open its incident, reload, and paste the link in a
 * second tab. Screenshots land in test-results/now-*.png.
 */
// A shared machine: the first draw of the map can hold the page for seconds.
const e2e = useE2e('now', { server: { demo: { cis: 1500, seed: 7 } }, stepTimeout: 60_000 });
type Ci = { id: string; name: string; class: string; environment: string };
let db: Ci;
let deps: Ci[];
const t0 = Date.now() - 120_000;
const at = (s: number) => new Date(t0 + s * 1000).toISOString();
const alert = (name: string, severity: string, ci: Ci, s: number) =>
  ({ labels: { alertname: name, severity, service: ci.name, environment: 'production' }, startsAt: at(s), fingerprint: `${name}-${ci.id}` });

const withClass = (p: Page, cls: string) => p.evaluate((c) => {
  const cy = (window as unknown as { __servicegraph: { view: { cy: { nodes(s: string): { map(f: (e: { id(): string }) => string): string[] } } } } }).__servicegraph.view.cy;
  return cy.nodes(`.${c}`).map((e) => e.id());
}, cls);

beforeAll(async () => {
  const cis = await allCis<Ci>(e2e.srv);
  for (const d of cis.filter((c) => c.class === 'database' && c.environment === 'production')) {
    const r = await e2e.srv.api('/api/v1/impact', { body: { failed: [{ ci: d.id }] } });
    const found = r.body.impacted.filter((i: { depth: number; class: string }) => i.depth > 0 && i.class === 'service');
    if (found.length >= 8) { db = d; deps = found; break; }
  }
  const collector = await e2e.srv.tokenFor('collector');
  const storm = [alert('HighErrorRate', 'warning', deps[0], 0), alert('PostgresqlDown', 'critical', db, 2), ...deps.slice(1, 6).map((d, i) => alert('HighErrorRate', 'warning', d, 3 + i))];
  const r = await e2e.srv.api('/api/v1/alerts/alertmanager', { body: alertmanagerBody(storm), token: collector });
  expect(r.status).toBe(200);
  await e2e.srv.api('/api/v1/alerts/alertmanager', { token: collector, body: alertmanagerBody([{ labels: { alertname: 'KubePersistentVolumeFillingUp', severity: 'critical', namespace: 'shop', persistentvolumeclaim: 'data-0' }, startsAt: at(5), fingerprint: 'pvc' }]) });
}, 180_000);

describe('the Now page', () => {
  it('opens at /now with the situation ranked first: cause, priority, alerts, impacted services, noise and unbound alerts', async () => {
    await e2e.signIn('/now');
    const situation = e2e.page.locator('.situation').first();
    await situation.waitFor();
    expect(await situation.locator('.cause').textContent()).toBe(db.name);
    expect(await situation.locator('.prio').textContent()).toMatch(/^P[1-4]$/);
    expect(await situation.locator('.meta').textContent()).toMatch(/^7 alerts · \d+ services? impacted/);
    // The cause came with the demo's load a moment ago: that appearance is the estate's discovery, not what changed first.
    expect(await situation.locator('.changed').count()).toBe(0);
    expect(await e2e.page.getByTestId('noise').textContent()).toMatch(/^8 alerts → 1 situation /);
    const unbound = e2e.page.getByRole('list', { name: 'Unbound alerts' });
    expect(await unbound.textContent()).toContain('KubePersistentVolumeFillingUp');
    expect(await unbound.textContent()).toContain('no binding rule applies to these labels');
    expect(await e2e.page.getByRole('link', { name: 'Now', exact: true }).getAttribute('aria-current')).toBe('page');
  }, 150_000);

  it('puts the situation on the map: the alerting CIs and, paler, the dependents they take down', async () => {
    await e2e.page.locator('.situation').first().getByRole('button', { name: 'Show on map' }).click();
    await mapSettled(e2e.page);
    await expect.poll(() => withClass(e2e.page, 'alert-down')).toContain(db.id);
    const taken = [...await withClass(e2e.page, 'health-down'), ...await withClass(e2e.page, 'health-degraded')];
    expect(taken.length).toBeGreaterThan(0);
    // The cause's details say it alerts; a dependent's say it suffers from what it needs.
    const details = e2e.page.getByRole('complementary', { name: 'Selected CI' });
    await expect.poll(() => details.getByRole('status').textContent()).toMatch(/^down: \d+ firing alerts? · see Now$/);
    await e2e.page.evaluate((id) => { (window as unknown as { __servicegraph: { map: { selected: string | null } } }).__servicegraph.map.selected = id; }, taken[0]);
    await expect.poll(() => details.getByRole('status').textContent()).toMatch(/^(down|degraded)( because .+, which it needs, is alerting|: \d+ firing alerts?) · see Now$/);
    await screenshot(e2e.page, 'now-1-situation-on-map');
    // A dependent names the alerting CI it suffers through; following the name shows that CI's alerts.
    const impacted = await withClass(e2e.page, 'health-down');
    await e2e.page.evaluate((id) => { (window as unknown as { __servicegraph: { map: { selected: string | null } } }).__servicegraph.map.selected = id; }, impacted[0] ?? taken[0]);
    const via = details.getByRole('status').getByRole('button');
    await via.waitFor();
    expect(await via.textContent()).not.toBe('');
    await via.click();
    await expect.poll(() => details.getByRole('status').textContent()).toMatch(/^(down|degraded): \d+ firing alerts? · see Now$/);
  }, 150_000);

  it('a new alert joins live, without a reload', async () => {
    const collector = await e2e.srv.tokenFor('collector');
    await e2e.srv.api('/api/v1/alerts/alertmanager', { token: collector, body: alertmanagerBody([alert('HighLatency', 'warning', deps[6], 30)]) });
    await expect.poll(() => e2e.page.locator('.situation').first().locator('.meta').textContent(), { timeout: 60_000 }).toMatch(/^8 alerts/);
  }, 150_000);

  it('opens the situation\'s incident in one click', async () => {
    const situation = e2e.page.locator('.situation').first();
    const button = situation.getByRole('button', { name: 'Open incident' });
    if (await button.count()) await button.click();
    await expect.poll(() => situation.locator('.inc').textContent()).toMatch(/^incident inc-/);
    await screenshot(e2e.page, 'now-2-incident');
  }, 150_000);

  it('survives a reload and works pasted into a second tab', async () => {
    await e2e.page.reload();
    await e2e.page.locator('.situation').first().waitFor();
    expect(await e2e.page.locator('.situation').first().locator('.cause').textContent()).toBe(db.name);
    const second = await e2e.browser.context.newPage();
    await e2e.signIn('/now', { page: second });
    await second.locator('.situation').first().waitFor();
    expect(await second.locator('.situation').first().locator('.cause').textContent()).toBe(db.name);
    expect(await second.locator('.situation').first().locator('.inc').textContent()).toMatch(/^incident inc-/);
    await screenshot(second, 'now-3-second-tab');
    await second.close();
  }, 150_000);

  it("links the situation's incident to its page", async () => {
    const link = e2e.page.locator('.situation').first().getByRole('link', { name: /^incident inc-/ });
    const id = (await link.textContent())!.replace('incident ', '');
    await link.click();
    await e2e.page.waitForURL(`${e2e.srv.url}/incidents/${id}`);
    await e2e.page.getByLabel('Priority').waitFor();
  }, 150_000);
});

describe('the Now page before any monitoring is connected', () => {
  it('says that no alert has arrived yet and how to send them, instead of "nothing is broken"', async () => {
    const quiet = await startTestServer({ demo: { cis: 200 } });
    const p = await e2e.browser.context.newPage();
    try {
      await p.goto(`${quiet.url}/now#token=${quiet.adminToken}`);
      const setup = p.getByRole('region', { name: 'Connect monitoring' });
      await setup.getByText('No alert has reached servicegraph yet').waitFor();
      expect(await setup.textContent()).toContain(`${quiet.url}/api/v1/alerts/alertmanager`);
      expect(await setup.textContent()).toContain(`${quiet.url}/api/v1/alerts/grafana`);
      expect(await p.getByText('Nothing is broken right now.').count()).toBe(0);
      await screenshot(p, 'now-4-no-monitoring');
      // An admin gets a collector token for it in one click.
      await setup.getByRole('link', { name: 'create one' }).click();
      await p.waitForURL((u) => u.pathname === '/tokens');
      expect(await p.getByRole('form', { name: 'New token' }).getByLabel('Role').inputValue()).toBe('collector');
      // Once an alert came and went, the page says monitoring is connected and the estate is quiet.
      const collector = await quiet.tokenFor('collector');
      const ci = (await quiet.api('/api/v1/cis?class=service&limit=1')).body.items[0] as { name: string };
      const fired = { labels: { alertname: 'HighErrorRate', severity: 'warning', service: ci.name }, startsAt: new Date(Date.now() - 60_000).toISOString(), fingerprint: 'quiet-1' };
      await quiet.api('/api/v1/alerts/alertmanager', { token: collector, body: alertmanagerBody([{ ...fired, status: 'resolved', endsAt: new Date().toISOString() }]) });
      await p.goto(`${quiet.url}/now`);
      await p.getByText('Nothing is broken right now.').waitFor();
      expect(await p.getByTestId('last-alert').textContent()).toMatch(/^Monitoring is connected: the last alert, HighErrorRate/);
      await screenshot(p, 'now-5-quiet');
    } finally {
      await p.close();
      await quiet.close();
    }
  }, 150_000);
});
