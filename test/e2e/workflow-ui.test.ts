import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { inApp, mapCountCoveredBy, mapSettled, openBrowser, screenshot, useE2e } from './browser.ts';
import { alertmanagerBody } from '../fixtures/alerts.ts';

/**
 * The three users' whole tasks in Chromium on the demo estate, through the UI only (CIs are found by
 * search, never by id): the change manager, the service-desk agent (with a second tab) and the
 * problem analyst. Each test stands alone: it signs in and records what it needs itself, so any one of them runs by
 * itself (`-t`) or in any order. Screenshots land in test-results/flow-*.png.
 */
const e2e = useE2e('flow', { server: { demo: true } });
let db: { id: string; name: string };
type Sg = { map: { work: Map<string, { incidents: { id: string }[] }> } };

const sg = <T>(f: string) => inApp<T>(e2e.page, f);

/** Picks a CI through a search box, as a person types its name. */
async function pick(p: Page, label: RegExp | string, name: string) {
  const box = p.getByRole('combobox', { name: label });
  await box.fill(name);
  await p.getByRole('option').filter({ hasText: name }).first().waitFor();
  await box.press('Enter');
}

/** A change recorded through the API for a test of its own (no test here depends on another's records or sign-in). */
async function recordChange(title: string, hoursAhead: number, cis = [db.id]): Promise<string> {
  const window = { start: new Date(Date.now() + hoursAhead * 3600_000).toISOString(), end: new Date(Date.now() + (hoursAhead + 2) * 3600_000).toISOString() };
  const created = await e2e.srv.api('/api/v1/changes', { body: { title, type: 'normal', window, cis } });
  expect(created.status).toBe(201);
  return `/changes/${created.body.id}`;
}

beforeAll(async () => {
  db = (await e2e.srv.api('/api/v1/cis?class=database&environment=production&limit=1')).body.items[0];
});

describe('the change manager', () => {
  it('creates and assesses a change, schedules it, gets every approval, and finds it again after a reload and on the calendar', async () => {
    await e2e.signIn('/changes');
    await e2e.page.getByRole('heading', { name: 'Changes' }).waitFor();
    await e2e.page.getByRole('link', { name: 'New change' }).click();
    await e2e.page.getByLabel('Title').fill('flow: patch the orders database');
    await pick(e2e.page, 'CIs touched by the change', db.name);
    await e2e.page.getByRole('list', { name: 'CIs touched' }).getByText(db.name).waitFor();
    // A look at the map and back keeps the half-written change.
    await e2e.page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Map', exact: true }).click();
    await mapSettled(e2e.page);
    await e2e.page.goBack();
    await expect(e2e.page.getByLabel('Title').inputValue()).resolves.toBe('flow: patch the orders database');
    await e2e.page.getByRole('list', { name: 'CIs touched' }).getByText(db.name).waitFor();
    await e2e.page.getByRole('button', { name: 'Create and assess' }).click();
    await e2e.page.waitForURL(/\/changes\/chg-/);
    const changeUrl = e2e.page.url();
    await e2e.page.getByRole('img', { name: /^Risk \d+ of 100/ }).waitFor();
    await expect(e2e.page.getByLabel('Status').textContent()).resolves.toBe('planned');

    // Schedule: next Tuesday night.
    const tuesday = new Date();
    tuesday.setDate(tuesday.getDate() + ((9 - tuesday.getDay()) % 7 || 7));
    const day = `${tuesday.getFullYear()}-${String(tuesday.getMonth() + 1).padStart(2, '0')}-${String(tuesday.getDate()).padStart(2, '0')}`;
    await e2e.page.getByLabel('Start').fill(`${day}T01:00`);
    await e2e.page.getByLabel('End').fill(`${day}T03:00`);
    await e2e.page.getByRole('button', { name: 'Reschedule' }).click();
    await e2e.page.getByRole('list', { name: 'Timeline' }).getByText(/rescheduled to/).waitFor();
    // The reschedule redraws the change's map: the screenshot waits for it (a fresh clone's once caught it blank).
    await mapSettled(e2e.page);
    await screenshot(e2e.page, 'flow-1-change-assessed');

    // Each approver team signs in with its own token: a signed-in link pasted into this tab, no reload.
    const teams = (await e2e.page.getByRole('list', { name: 'Approvals' }).locator('li strong').allTextContents()).map((t) => t.trim());
    expect(teams.length).toBeGreaterThan(0);
    await expect(e2e.page.getByLabel('Signed in as').textContent()).resolves.toBe('admin');
    for (const team of teams) {
      const token = await e2e.srv.tokenFor('change-manager', team);
      await e2e.page.evaluate((t) => { location.hash = `token=${t}`; }, token);
      // The header says whose token the tab now acts with.
      await expect.poll(() => e2e.page.getByLabel('Signed in as').textContent()).toBe(`change-manager · ${team}`);
      await e2e.page.getByRole('button', { name: `Approve as ${team}` }).click();
      await e2e.page.getByRole('list', { name: 'Approvals' }).getByText(/approved by/).first().waitFor();
    }
    await expect.poll(() => e2e.page.getByLabel('Status').textContent()).toBe('approved');
    // An approved change takes no more decisions: the page offers none (the API would answer 409).
    expect(await e2e.page.getByRole('list', { name: 'Approvals' }).getByRole('button').count()).toBe(0);
    await screenshot(e2e.page, 'flow-2-change-approved');

    // A reload keeps the page (its address) and the sign-in (the tab's session).
    await e2e.page.reload();
    await e2e.page.getByRole('heading', { name: 'flow: patch the orders database' }).waitFor();
    await expect(e2e.page.getByLabel('Status').textContent()).resolves.toBe('approved');
    expect(e2e.page.url()).toBe(changeUrl);

    // And on the calendar, in its week.
    await e2e.page.getByRole('link', { name: 'on the calendar' }).click();
    await e2e.page.getByRole('grid', { name: 'Week' }).getByRole('link', { name: /flow: patch the orders database/ }).waitFor();
    // Below the week, its changes in the order they start, with their window in words (a phone's columns are too narrow for titles).
    await expect(e2e.page.getByRole('list', { name: 'Changes this week' }).getByRole('listitem').filter({ hasText: 'flow: patch the orders database' }).innerText())
      .resolves.toMatch(/flow: patch the orders database\s+chg-\S+ · (tomorrow|\w+day) 1:00 AM – 3:00 AM \(2 h\), in \d+ (h|days) · approved · risk \d+/);
    await mapSettled(e2e.page);
    // The map beside the week is narrow: its count of CIs and relations stays in sight, clear of its overview and legend.
    expect(await mapCountCoveredBy(e2e.page)).toEqual([]);
    await screenshot(e2e.page, 'flow-3-calendar');
    await e2e.page.reload();
    await e2e.page.getByRole('grid', { name: 'Week' }).getByRole('link', { name: /flow: patch the orders database/ }).click();
    await e2e.page.waitForURL(changeUrl);
  }, 240_000);

  it('asks each waiting team for its approval with a token made for it, and finds the change again by its words or its CI once done', async () => {
    const window = { start: new Date(Date.now() + 20 * 3600_000).toISOString(), end: new Date(Date.now() + 22 * 3600_000).toISOString() };
    const change = (await e2e.srv.api('/api/v1/changes', { body: { title: 'flow: rotate the orders certificates', type: 'normal', window, cis: [db.id] } })).body;
    const changePath = `/changes/${change.id}`;
    // The admin again (the tab approved as each team before).
    await e2e.signIn(changePath);
    const ask = e2e.page.getByLabel('Who approves');
    await ask.getByText('Create a token for').waitFor();
    const teams = await ask.getByRole('link').allTextContents();
    expect(teams.length).toBeGreaterThan(0);
    await screenshot(e2e.page, 'flow-3d-ask-approvers');
    const approver = await openBrowser();
    try {
      for (const team of teams) {
        // The admin follows the team's link: the Tokens form is filled in for that team's change manager.
        await e2e.page.goto(`${e2e.srv.url}${changePath}`);
        await e2e.page.getByLabel('Who approves').getByRole('link', { name: team, exact: true }).click();
        await e2e.page.waitForURL((u) => u.pathname === '/tokens');
        const form = e2e.page.getByRole('form', { name: 'New token' });
        expect(await form.getByLabel('Name', { exact: true }).inputValue()).toBe(`${team} change manager`);
        expect(await form.getByLabel('Role').inputValue()).toBe('change-manager');
        expect(await form.getByLabel('Team', { exact: true }).inputValue()).toBe(team);
        await form.getByRole('button', { name: 'Create token' }).click();
        const link = await e2e.page.getByRole('region', { name: 'New token' }).getByLabel('Signed-in link').inputValue();
        // The link opens the change itself, where that team approves.
        expect(link).toMatch(new RegExp(`^${e2e.srv.url}${changePath}#token=`));
        await approver.page.goto(link);
        await approver.page.getByRole('button', { name: `Approve as ${team}` }).click();
        await approver.page.getByRole('list', { name: 'Approvals' }).getByText(new RegExp(`approved by ${team} change manager`)).waitFor();
      }
    } finally { await approver.close(); }
    await e2e.page.goto(`${e2e.srv.url}${changePath}`);
    await expect.poll(() => e2e.page.getByLabel('Status').textContent()).toBe('approved');
    expect(await e2e.page.getByLabel('Who approves').count()).toBe(0);

    // Implemented and closed: no longer among the open changes.
    for (const status of ['in-progress', 'successful']) expect((await e2e.srv.api(`/api/v1/changes/${change.id}`, { method: 'PATCH', body: { status } })).status).toBe(200);
    await e2e.page.goto(`${e2e.srv.url}/changes`);
    const list = e2e.page.getByRole('list', { name: 'Changes' });
    await list.getByRole('link').first().waitFor();
    expect(await list.getByText('flow: rotate the orders certificates').count()).toBe(0);
    // A week later, by a few words of its title: found whatever its status, and the address keeps the search.
    await e2e.page.getByLabel('Search changes').fill('orders certificates');
    await e2e.page.waitForURL((u) => u.searchParams.get('q') === 'orders certificates');
    await list.getByRole('link', { name: /flow: rotate the orders certificates/ }).waitFor();
    expect(await list.getByRole('link').count()).toBe(1);
    await e2e.page.reload();
    await list.getByRole('link', { name: /flow: rotate the orders certificates/ }).waitFor();
    expect(await e2e.page.getByLabel('Search changes').inputValue()).toBe('orders certificates');
    await screenshot(e2e.page, 'flow-3e-changes-search');
    // Nothing found says so, with a way back.
    await e2e.page.getByLabel('Search changes').fill('no such words anywhere');
    await list.getByText('No change matches these filters').waitFor();
    await list.getByRole('link', { name: 'Show the open changes' }).click();
    await e2e.page.waitForURL((u) => u.pathname === '/changes' && !u.search);
    // By the CI it touched: named in the filter, through a reload too.
    await e2e.page.getByRole('combobox', { name: 'Touching a CI' }).fill(db.name);
    // Clicked, not Enter: the pointer rests where the list opens and would choose the option under it.
    await e2e.page.getByRole('option', { name: new RegExp(`^${db.name} Database`) }).first().click();
    await e2e.page.waitForURL((u) => u.searchParams.get('ci') === db.id);
    await list.getByRole('link', { name: /flow: rotate the orders certificates/ }).waitFor();
    await e2e.page.reload();
    await e2e.page.getByRole('button', { name: `Stop filtering by ${db.name}` }).waitFor();
    await list.getByRole('link', { name: /flow: rotate the orders certificates/ }).click();
    await e2e.page.waitForURL(`${e2e.srv.url}${changePath}`);
    await expect(e2e.page.getByLabel('Status').textContent()).resolves.toBe('successful');
  }, 240_000);

  it('replans a patch of the database\'s three hosts as rolling: the outage becomes a degradation', async () => {
    const detail = await e2e.srv.api(`/api/v1/cis/${db.id}`);
    const hosts = (detail.body.relations.outgoing as { to: string; type: string }[]).filter((r) => r.type === 'RUNS_ON').map((r) => r.to);
    expect(hosts.length).toBeGreaterThan(1);
    await e2e.signIn(await recordChange('flow: patch the database hosts', 30, hosts));
    const radius = e2e.page.locator('section[aria-label="Assessment"]');
    await expect.poll(() => radius.textContent()).toMatch(/all \d+ touched CIs down at once/);
    const downBefore = Number(/(\d+) down/.exec((await radius.textContent())!)![1]);
    await e2e.page.getByRole('group', { name: 'Replan' }).locator('select').selectOption('rolling');
    await e2e.page.getByRole('button', { name: 'Replan' }).click();
    await expect.poll(() => radius.textContent()).toMatch(/rolling in \d+ waves/);
    const text = (await radius.textContent())!;
    expect(Number(/(\d+) down/.exec(text)![1])).toBeLessThan(downBefore);
    expect(Number(/(\d+) degraded/.exec(text)![1])).toBeGreaterThan(0);
    await screenshot(e2e.page, 'flow-3a-change-rolling');
  }, 120_000);

  it('on a 1024x700 screen, the change page and the calendar leave the map room and nothing runs off the screen', async () => {
    await e2e.page.setViewportSize({ width: 1024, height: 700 });
    try {
      await e2e.signIn(await recordChange('flow: patch the orders database on a small screen', 26));
      await e2e.page.getByRole('img', { name: /^Risk \d+ of 100/ }).waitFor();
      await mapSettled(e2e.page);
      // The blast radius is on the map; no CI got selected, so the details do not cover it.
      expect(await e2e.page.getByRole('complementary', { name: 'Selected CI' }).count()).toBe(0);
      const mapBox = (await e2e.page.locator('main.map').boundingBox())!;
      expect(mapBox.width).toBeGreaterThan(450);
      const tools = (await e2e.page.locator('.tools').boundingBox())!, status = (await e2e.page.locator('.status').boundingBox())!;
      expect(status.y >= tools.y + tools.height || status.x >= tools.x + tools.width, JSON.stringify({ tools, status })).toBe(true);
      expect(await mapCountCoveredBy(e2e.page)).toEqual([]);
      expect(await e2e.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
      await screenshot(e2e.page, 'flow-3b-change-small-screen');
      await e2e.page.getByRole('link', { name: 'on the calendar' }).click();
      await e2e.page.getByRole('grid', { name: 'Week' }).waitFor();
      expect(await e2e.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
      expect(await e2e.page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
      await mapSettled(e2e.page);
      expect(await mapCountCoveredBy(e2e.page)).toEqual([]);
      await screenshot(e2e.page, 'flow-3c-calendar-small-screen');
    } finally {
      await e2e.page.setViewportSize({ width: 1280, height: 800 });
    }
  }, 120_000);

  it('on a 390x844 phone, the navigation, the change page, the tokens and the map all fit the width: nothing needs a sideways scroll', async () => {
    await e2e.page.setViewportSize({ width: 390, height: 844 });
    /** What sticks out of the window sideways: the page itself, or one of the given elements. */
    const offScreen = (selector: string) => e2e.page.evaluate((sel) => {
      const out: string[] = [];
      if (document.documentElement.scrollWidth > innerWidth) out.push(`the page (${document.documentElement.scrollWidth} px wide)`);
      for (const el of document.querySelectorAll(sel)) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && (r.left < 0 || r.right > innerWidth + 0.5)) out.push(`${(el.textContent ?? '').trim().slice(0, 30)} (${Math.round(r.left)}–${Math.round(r.right)})`);
      }
      return out;
    }, selector);
    try {
      // Signed in on the phone itself, as a change manager following a link in a message.
      await e2e.signIn(await recordChange('flow: patch the orders database from a phone', 28));
      await e2e.page.getByRole('img', { name: /^Risk \d+ of 100/ }).waitFor();
      // Every view of the navigation and Sign out can be tapped; the change's approvals and its moves are on screen.
      expect(await offScreen('nav[aria-label="Views"] a, header button, #panel button, #panel li')).toEqual([]);
      await mapSettled(e2e.page);
      // The map comes below the page, at a usable size.
      const mapBox = (await e2e.page.locator('main.map').boundingBox())!;
      expect(mapBox.width).toBeGreaterThan(350);
      expect(mapBox.height).toBeGreaterThan(400);
      await screenshot(e2e.page, 'flow-3d-change-phone');
      await e2e.page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Tokens' }).click();
      await e2e.page.getByRole('button', { name: 'Create token' }).waitFor();
      // The tokens' table is wider than a phone: it scrolls sideways inside itself, the page does not.
      expect(await offScreen('nav[aria-label="Views"] a, header button, #panel form')).toEqual([]);
      await screenshot(e2e.page, 'flow-3e-tokens-phone');
    } finally {
      await e2e.page.setViewportSize({ width: 1280, height: 800 });
    }
  }, 120_000);
});

describe('the service-desk agent', () => {
  it('opens an incident from the Impact view, sees it in the list and in a second tab on the map, works it to resolved, the other tab following live', async () => {
    await e2e.signIn('/impact');
    await pick(e2e.page, 'Add a failed CI', db.name);
    await e2e.page.getByRole('button', { name: 'Compute impact' }).click();
    const form = e2e.page.getByRole('form', { name: 'Open an incident' });
    await form.waitFor();
    // The form is on screen without scrolling past the impacted services.
    const box = await form.boundingBox();
    expect(box!.y + box!.height).toBeLessThan(800);
    await form.getByLabel('Title').fill('flow: orders failing');
    await form.getByLabel('Urgency').selectOption('1');
    await form.getByRole('button', { name: 'Open incident' }).click();
    await e2e.page.waitForURL(/\/incidents\/inc-/);
    const incidentUrl = e2e.page.url();
    await expect(e2e.page.getByLabel('Priority').textContent()).resolves.toMatch(/^P[1-4]$/);
    await e2e.page.getByRole('list', { name: 'Impacted services' }).getByRole('listitem').first().waitFor();
    await screenshot(e2e.page, 'flow-4-incident');

    // In the list, and in a second tab (signed in already) on the map.
    await e2e.page.getByRole('link', { name: '← Incidents' }).click();
    await e2e.page.getByRole('list', { name: 'Incidents', exact: true }).getByText('flow: orders failing').waitFor();
    await screenshot(e2e.page, 'flow-5-incident-list');

    const second = await e2e.browser.context.newPage();
    await second.goto(`${e2e.srv.url}/cis/${encodeURIComponent(db.id)}`);
    await mapSettled(second);
    await second.getByRole('complementary', { name: 'Selected CI' }).getByText('flow: orders failing').waitFor();
    await expect.poll(() => second.evaluate((id) => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.work.get(id)?.incidents.length ?? 0, db.id)).toBe(1);
    await screenshot(second, 'flow-6-second-tab-map');

    // Investigating, a note, resolved: the other tab follows live.
    await e2e.page.goto(incidentUrl);
    await e2e.page.getByRole('button', { name: 'Investigate' }).click();
    await expect.poll(() => e2e.page.getByLabel('Status').textContent()).toBe('investigating');
    await e2e.page.getByLabel('Add a note').fill('failing over to the replica');
    await e2e.page.getByRole('button', { name: 'Add note' }).click();
    await e2e.page.getByRole('list', { name: 'Timeline' }).getByText('failing over to the replica').waitFor();
    await e2e.page.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => e2e.page.getByLabel('Status').textContent()).toBe('resolved');
    await screenshot(e2e.page, 'flow-7-incident-resolved');
    await expect.poll(() => second.evaluate((id) => (window as unknown as { __servicegraph: Sg }).__servicegraph.map.work.get(id)?.incidents.length ?? 0, db.id)).toBe(0);
    // Signing out in one tab signs out the other.
    await second.getByRole('button', { name: 'Sign out' }).click();
    await e2e.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await second.close();
  }, 240_000);

  it("sees what checkout depends on, and what monitoring says is broken there, live, through a reload and a second tab", async () => {
    await e2e.signIn('/map');
    await mapSettled(e2e.page);
    const box = e2e.page.getByRole('combobox', { name: /Find a CI/ });
    await box.fill('checkout');
    await e2e.page.getByRole('option', { name: /^checkout Application service · production/ }).click();
    await mapSettled(e2e.page);
    const checkout = await sg<{ id: string }>('return { id: sg.map.focus[0] };');
    // Its dependencies only: the direction applies as soon as it is picked (no Apply), and the address keeps it.
    await e2e.page.getByLabel('Direction').selectOption('downstream');
    await e2e.page.waitForURL((u) => u.searchParams.get('direction') === 'downstream');
    await mapSettled(e2e.page);
    const names = await sg<string[]>('return sg.map.graph.nodes.map((n) => n.name);');
    expect(names).not.toContain('checkout experience');
    const dbName = names.find((n) => n === 'checkout-db')!;
    expect(dbName).toBe('checkout-db');
    const status = e2e.page.locator('.marked');
    await expect.poll(() => status.textContent()).toMatch(/On the map: none alerting/);
    await screenshot(e2e.page, 'flow-9a-checkout-dependencies');

    // Monitoring reports its database down: the map says so without a reload, where it is.
    const collector = await e2e.srv.tokenFor('collector');
    const fired = { labels: { alertname: 'PostgresqlDown', severity: 'critical', service: 'checkout-db', environment: 'production' }, startsAt: new Date(Date.now() - 60_000).toISOString(), fingerprint: 'flow-checkout-db' };
    expect((await e2e.srv.api('/api/v1/alerts/alertmanager', { token: collector, body: alertmanagerBody([fired]) })).status).toBe(200);
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/On the map: 1 alerting, \d+ down or degraded by it/);
    const db = await sg<string>("return sg.map.graph.nodes.find((n) => n.name === 'checkout-db').id;");
    await expect.poll(() => sg<string[]>('return sg.view.cy.nodes(".alert-down").map((e) => e.id());')).toContain(db);
    await screenshot(e2e.page, 'flow-9b-checkout-broken-live');
    const url = e2e.page.url();
    expect(new URL(url).searchParams.get('focus')).toBe(checkout.id);

    // A reload and a second tab show the same dependencies with the same alerting CI.
    await e2e.page.reload();
    await mapSettled(e2e.page);
    await expect.poll(() => status.textContent()).toMatch(/On the map: 1 alerting/);
    const other = await e2e.browser.context.newPage();
    try {
      await other.goto(url);
      await mapSettled(other);
      await expect.poll(() => other.locator('.marked').textContent()).toMatch(/On the map: 1 alerting/);
      expect(await other.evaluate('window.__servicegraph.map.graph.nodes.map((n) => n.name)')).not.toContain('checkout experience');
      await screenshot(other, 'flow-9c-checkout-second-tab');
      // From there, the Now page names the cause.
      await other.getByRole('link', { name: 'Now', exact: true }).first().click();
      await other.locator('.situation').filter({ hasText: 'checkout-db' }).first().waitFor();
    } finally { await other.close(); }
  }, 180_000);
});

describe('the problem analyst', () => {
  it('picks three incidents from the list over the last week and runs root cause', async () => {
    // Three incidents opened by the service desk: the database unreachable, and two services that need it down.
    expect((await e2e.srv.api('/api/v1/incidents', { body: { title: 'flow: orders database unreachable', cis: [{ ci: db.id, state: 'down' }], urgency: 1 } })).status).toBe(201);
    const detail = await e2e.srv.api(`/api/v1/cis/${db.id}`);
    // What changed there just before: a DBA's note raises the database's connection limit.
    const collector = await e2e.srv.tokenFor('collector');
    expect((await e2e.srv.api('/api/v1/ingest', { token: collector, body: { source: 'dba-notes', scope: 'flow', cis: [{ class: 'database', name: db.name, environment: 'production', attributes: { max_connections: '500' } }] } })).status).toBe(200);
    // And the emergency change recorded for it an hour ago.
    const window = { start: new Date(Date.now() - 2 * 3600_000).toISOString(), end: new Date(Date.now() - 3600_000).toISOString() };
    expect((await e2e.srv.api('/api/v1/changes', { body: { title: 'flow: raise the connection limit', type: 'emergency', window, cis: [db.id] } })).status).toBe(201);
    const dependents = (detail.body.relations.incoming as { from: string; type: string }[]).filter((r) => r.type === 'DEPENDS_ON').map((r) => r.from).slice(0, 2);
    for (const [i, ci] of dependents.entries()) {
      const r = await e2e.srv.api('/api/v1/incidents', { body: { title: `flow: symptom ${i + 1}`, cis: [{ ci, state: 'down' }], urgency: 2 } });
      expect(r.status).toBe(201);
    }
    await e2e.signIn('/root-cause');
    await e2e.page.getByLabel('Incidents started in the').selectOption({ label: 'last 7 days' });
    for (const name of ['flow: orders database unreachable', 'flow: symptom 1', 'flow: symptom 2']) await e2e.page.getByRole('checkbox', { name: new RegExp(name) }).check();
    await e2e.page.getByRole('button', { name: 'Find root cause' }).click();
    const candidates = e2e.page.getByRole('list', { name: 'Root-cause candidates' });
    await expect(candidates.textContent()).resolves.toContain(db.name);
    await candidates.getByRole('button', { name: new RegExp(`^${db.name}`) }).first().click();
    await e2e.page.getByRole('heading', { name: `Recent changes on ${db.name}` }).waitFor();
    // The edit reads as what it changed, and when against the incidents; the change recorded on it links to its page.
    const recent = e2e.page.getByRole('list', { name: 'Recent changes', exact: true });
    await recent.getByText(/new version \d+: max_connections null → "500"/).waitFor();
    expect(await recent.textContent()).toMatch(/(before|after) the first incident/);
    await screenshot(e2e.page, 'flow-8-root-cause');
    await recent.getByRole('link', { name: /flow: raise the connection limit/ }).click();
    await e2e.page.getByRole('heading', { name: 'flow: raise the connection limit' }).waitFor();
    await e2e.page.goBack();
    // The analysis is in the address: Back, or a reload, runs it again with the same incidents and candidate.
    await e2e.page.getByRole('heading', { name: `Recent changes on ${db.name}` }).waitFor();
    const analysis = new URL(e2e.page.url());
    expect(analysis.searchParams.get('incidents')!.split(',')).toHaveLength(3);
    await e2e.page.reload();
    await expect(e2e.page.getByRole('list', { name: 'Root-cause candidates' }).textContent()).resolves.toContain(db.name);
    await e2e.page.getByRole('heading', { name: `Recent changes on ${db.name}` }).waitFor();
    expect(await e2e.page.getByRole('checkbox', { checked: true }).count()).toBe(3);
  }, 120_000);
});
