import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { mapSettled, screenshot, useBrowser, useE2e } from './browser.ts';

/**
 * An admin manages tokens from the UI: lists them (never a secret), creates one (its secret shown once,
 * with copy buttons and a signed-in link), and revokes it; the person using that token in another
 * browser, in two tabs, is signed out at once and told why, and the tab stops reconnecting.
 * Screenshots land in test-results/tokens-*.png.
 */
const e2e = useE2e('tokens', { server: { demo: { cis: 200 } } });
/** The browser of the person the admin made a token for. */
const other = useBrowser('tokens-other');
let secret = '';
let link = '';

const nav = (p: Page) => p.getByRole('navigation', { name: 'Views' });

beforeAll(async () => {
  await e2e.browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
});

describe('tokens in the UI', () => {
  it('an admin creates a token: its secret once, with copy buttons and a signed-in link, never in the list', async () => {
    await e2e.signIn('/map');
    await mapSettled(e2e.page);
    await nav(e2e.page).getByRole('link', { name: 'Tokens' }).click();
    await e2e.page.waitForURL(`${e2e.srv.url}/tokens`);
    const table = e2e.page.getByRole('table', { name: 'Tokens' });
    await table.getByText('this tab').waitFor();

    const form = e2e.page.getByRole('form', { name: 'New token' });
    await form.getByLabel('Name', { exact: true }).fill('e2e: payments on-call');
    await form.getByLabel('Role').selectOption('change-manager');
    await form.getByLabel('Team', { exact: true }).fill('payments');
    await form.getByLabel('Expires in days', { exact: true }).fill('7');
    await form.getByRole('button', { name: 'Create token' }).click();

    const created = e2e.page.getByRole('region', { name: 'New token' });
    await created.getByText('shown this once').waitFor();
    secret = await created.getByLabel('Secret').inputValue();
    link = await created.getByLabel('Signed-in link').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    expect(link).toBe(`${e2e.srv.url}/#token=${encodeURIComponent(secret)}`);
    await created.getByRole('button', { name: 'Copy link' }).click();
    await created.getByRole('button', { name: 'Copied ✓' }).waitFor();
    expect(await e2e.page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    await created.getByRole('button', { name: 'Copy', exact: true }).click();
    expect(await e2e.page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await screenshot(e2e.page, 'tokens-1-created');

    // The API agrees on what was made.
    const me = await e2e.srv.api('/api/v1/whoami', { token: secret });
    expect(me.body).toMatchObject({ name: 'e2e: payments on-call', role: 'change-manager', team: 'payments' });
    expect(Date.parse(me.body.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    // The list shows it, with its role, team and expiry, and no secret anywhere once dismissed; nor after a reload.
    const row = table.getByRole('row').filter({ hasText: 'e2e: payments on-call' });
    await expect.poll(() => row.textContent()).toMatch(/change-manager\s*payments/);
    await created.getByRole('button', { name: 'Done' }).click();
    expect(await e2e.page.content()).not.toContain(secret);
    await e2e.page.reload();
    await row.waitFor();
    expect(await e2e.page.content()).not.toContain(secret);
  }, 90_000);

  it('the token works from its link in another browser; a non-admin has no Tokens page', async () => {
    const p = other.page;
    await p.goto(link);
    await mapSettled(p);
    await p.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    expect(await nav(p).getByRole('link', { name: 'Tokens' }).count()).toBe(0);
    await p.goto(`${e2e.srv.url}/tokens`);
    await p.getByRole('alert').filter({ hasText: 'Only an admin manages tokens' }).waitFor();
    expect((await e2e.srv.api('/api/v1/tokens', { token: secret })).status).toBe(403);
    await screenshot(p, 'tokens-2-not-admin');
    // A second tab of that browser, signed in by the first, on the map.
    const second = await other.browser.context.newPage();
    await second.goto(`${e2e.srv.url}/map`);
    await mapSettled(second);
    await second.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  }, 90_000);

  it('revoking it signs its open tabs out at once, saying why, and they stop reconnecting', async () => {
    const [first, second] = other.browser.context.pages();
    await first.goto(`${e2e.srv.url}/map`);
    await mapSettled(first);
    await first.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    let sockets = 0;
    for (const p of [first, second]) p.on('websocket', () => { sockets++; });

    await e2e.page.reload();
    const row = e2e.page.getByRole('table', { name: 'Tokens' }).getByRole('row').filter({ hasText: 'e2e: payments on-call' });
    // Its tabs used it: the list says when (to the minute).
    await expect.poll(async () => { await e2e.page.reload(); return row.textContent(); }, { timeout: 10_000 }).not.toMatch(/never$/);
    await row.getByRole('button', { name: 'Revoke e2e: payments on-call' }).click();
    await row.getByRole('button', { name: 'Revoke “e2e: payments on-call” now' }).click();
    await expect.poll(() => row.count()).toBe(0);
    await screenshot(e2e.page, 'tokens-3-revoked');

    for (const p of [first, second]) {
      await p.getByRole('alert').filter({ hasText: 'Signed out: your token was revoked' }).waitFor();
      await p.getByLabel('Token').waitFor();
    }
    await screenshot(first, 'tokens-4-signed-out');
    // No reconnects with a token the server refused.
    await new Promise((r) => setTimeout(r, 2500));
    expect(sockets).toBe(0);
    // A reload shows the sign-in form, not a broken page (the token is gone from the tab).
    await first.reload();
    await first.getByLabel('Token').waitFor();
    expect(await first.evaluate(() => sessionStorage.getItem('servicegraph.token'))).toBeNull();
    // The admin's own tab is untouched.
    await nav(e2e.page).getByRole('link', { name: 'Map' }).click();
    await mapSettled(e2e.page);
  }, 90_000);

  it('rotating a token gives a new secret for the same name, role and team; the old one\'s tabs are signed out, the new link signs them in', async () => {
    const made = (await e2e.srv.api('/api/v1/tokens', { body: { name: 'e2e: wall screen', role: 'viewer', team: 'sre', expiresInDays: 30 } })).body;
    const [first, second] = other.browser.context.pages();
    await first.goto(`${e2e.srv.url}/map#token=${encodeURIComponent(made.token)}`);
    await mapSettled(first);
    await first.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await second.reload();
    await mapSettled(second);
    await second.getByRole('status').filter({ hasText: 'Live' }).waitFor();

    await e2e.page.goto(`${e2e.srv.url}/tokens`);
    const row = e2e.page.getByRole('table', { name: 'Tokens' }).getByRole('row').filter({ hasText: 'e2e: wall screen' });
    await row.getByRole('button', { name: 'Rotate e2e: wall screen' }).click();
    await row.getByRole('button', { name: 'Rotate “e2e: wall screen” now' }).click();
    const rotated = e2e.page.getByRole('region', { name: 'New token' });
    await rotated.getByText('Token “e2e: wall screen” rotated.').waitFor();
    const fresh = await rotated.getByLabel('Secret').inputValue();
    const freshLink = await rotated.getByLabel('Signed-in link').inputValue();
    expect(fresh).not.toBe(made.token);
    // One row for the name, with the same role, team and expiry.
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toMatch(/viewer\s*sre/);
    const me = (await e2e.srv.api('/api/v1/whoami', { token: fresh })).body;
    expect(me).toMatchObject({ name: 'e2e: wall screen', role: 'viewer', team: 'sre', expiresAt: made.expiresAt });
    await screenshot(e2e.page, 'tokens-5-rotated');

    // The old secret's tabs are signed out at once and told why, as by a revocation.
    for (const p of [first, second]) await p.getByRole('alert').filter({ hasText: 'Signed out: your token was revoked' }).waitFor();
    expect((await e2e.srv.api('/api/v1/cis', { token: made.token })).status).toBe(401);
    // The new link, pasted into one tab, signs both in again.
    await first.goto(freshLink);
    await mapSettled(first);
    await first.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await second.reload();
    await mapSettled(second);
    await screenshot(second, 'tokens-6-new-secret-second-tab');
    // After a reload of the admin's page the secret is gone for good.
    await rotated.getByRole('button', { name: 'Done' }).click();
    await e2e.page.reload();
    await row.waitFor();
    expect(await e2e.page.content()).not.toContain(fresh);
  }, 90_000);

  it('the Activity trail says who created, rotated and revoked which token, newest first, and keeps revoked ones', async () => {
    const adminName = (await e2e.srv.api('/api/v1/whoami')).body.name as string;
    await e2e.page.goto(`${e2e.srv.url}/tokens`);
    const trail = e2e.page.getByRole('table', { name: 'Activity' });
    const rows = trail.getByRole('row').filter({ hasText: 'e2e:' });
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(4);
    const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    expect(texts[0]).toMatch(/rotated \(new secret\)\s*e2e: wall screen\s*viewer\s*sre/);
    expect(texts[1]).toMatch(/created\s*e2e: wall screen/);
    expect(texts[2]).toMatch(/revoked\s*e2e: payments on-call\s*change-manager\s*payments/);
    expect(texts[3]).toMatch(/created\s*e2e: payments on-call/);
    for (const t of texts) expect(t).toContain(adminName);
    // The revoked token is gone from the list, not from the trail; the rotated one's row says who made its secret.
    expect(await e2e.page.getByRole('table', { name: 'Tokens' }).getByRole('row').filter({ hasText: 'e2e: payments on-call' }).count()).toBe(0);
    expect(await e2e.page.getByRole('table', { name: 'Tokens' }).getByRole('row').filter({ hasText: 'e2e: wall screen' }).textContent()).toContain(`by ${adminName}`);
    await e2e.page.getByRole('heading', { name: 'Activity' }).scrollIntoViewIfNeeded();
    await screenshot(e2e.page, 'tokens-7-activity');
    // A second admin tab, after a reload, reads the same trail.
    const second = await e2e.browser.context.newPage();
    await second.goto(`${e2e.srv.url}/tokens`);
    const again = second.getByRole('table', { name: 'Activity' }).getByRole('row').filter({ hasText: 'e2e:' });
    await expect.poll(() => again.count(), { timeout: 15_000 }).toBe(4);
    expect((await again.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '))).toEqual(texts);
    await second.close();
  }, 90_000);
});
