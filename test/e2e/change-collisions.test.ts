import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, useE2e } from './browser.ts';

/**
 * Two teams each record "patch the database" for tomorrow night, an hour apart, on the same database; a third change
 * of that title is next week's. The change manager on one of them sees which change it collides with (reference,
 * window, who recorded it) and reaches that one, not its namesake; the calendar's collisions name and link each of
 * the pair the same way; a reload and a second tab say the same.
 */
const e2e = useE2e('change-collisions', { server: { demo: { cis: 200 } }, locale: 'en-GB' });
const TITLE = 'patch the database';
let core: string, sre: string;

beforeAll(async () => {
  const db = (await e2e.srv.api('/api/v1/cis?class=database&limit=1')).body.items[0];
  const tomorrow = new Date(); tomorrow.setUTCDate(tomorrow.getUTCDate() + 1); tomorrow.setUTCHours(22, 0, 0, 0);
  const at = (hours: number) => new Date(tomorrow.getTime() + hours * 3600_000).toISOString();
  const record = async (team: string, from: number, to: number) => (await e2e.srv.api('/api/v1/changes', {
    token: await e2e.srv.tokenFor('change-manager', team),
    body: { title: TITLE, type: 'normal', window: { start: at(from), end: at(to) }, cis: [db.id] },
  })).body.id as string;
  core = await record('core', 0, 1.5);
  sre = await record('sre', 1, 2.5);
  await record('sre', 7 * 24, 7 * 24 + 1);
}, 60_000);

/** The weekday after tomorrow, as the page names a day within the week ("Wednesday"). */
const dayAfterTomorrow = new Date(Date.now() + 2 * 86_400_000).toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'UTC' });
/** The collision's line on a change's page, as a person reads it. */
const collisionLine = (page: Page) => page.getByRole('list', { name: 'Collisions', exact: true }).getByRole('listitem');

describe('changes of one title that collide', () => {
  it('are told apart on the change\'s page, and its link leads to the other change, not to a namesake', async () => {
    const page = await e2e.signIn(`/changes/${core}`);
    await expect.poll(() => collisionLine(page).innerText(), { timeout: 15_000 })
      .toBe(`⚠ ${TITLE} (${sre}, planned, tomorrow night 23:00 – ${dayAfterTomorrow} 00:30 (1 h 30 min), recorded by test change-manager of sre): touches 1 of the same CIs`);
    // The line at the top says the same.
    await expect(page.getByRole('list', { name: 'At a glance' }).getByRole('listitem').filter({ hasText: 'Collides' }).innerText())
      .resolves.toContain(`${TITLE} (${sre}, planned,`);
    await screenshot(page, 'change-collisions-page');
    await collisionLine(page).getByRole('link', { name: TITLE }).click();
    await page.waitForURL(`${e2e.srv.url}/changes/${sre}`);
    await expect.poll(() => collisionLine(page).innerText(), { timeout: 15_000 }).toContain(`${TITLE} (${core}, planned, tomorrow night 22:00 – 23:30 (1 h 30 min), recorded by test change-manager of core)`);
  }, 60_000);

  it('are named and linked each on the calendar, through a reload and in a second tab', async () => {
    // The week of tomorrow night (the browser, like the server, is in UTC).
    const page = await e2e.signIn(`/calendar?week=${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}`);
    const pair = page.getByRole('list', { name: 'Collisions this week' }).getByRole('listitem');
    const said = new RegExp(`^⚠ ${TITLE} \\((${core}|${sre}), planned, .+, recorded by test change-manager of (core|sre)\\) and ${TITLE} \\((${core}|${sre}), planned, .+, recorded by test change-manager of (core|sre)\\)$`);
    await expect.poll(() => pair.innerText(), { timeout: 15_000 }).toMatch(said);
    const links = pair.getByRole('link', { name: TITLE });
    expect(await links.count()).toBe(2);
    expect(new Set(await Promise.all([0, 1].map((i) => links.nth(i).getAttribute('href'))))).toEqual(new Set([`/changes/${core}`, `/changes/${sre}`]));
    // The week's list tells the three namesakes apart by their references.
    const listed = await page.getByRole('list', { name: 'Changes this week' }).getByRole('listitem').allInnerTexts();
    expect(listed.filter((t) => t.includes(core) || t.includes(sre))).toHaveLength(2);
    await screenshot(page, 'change-collisions-calendar');

    await page.reload();
    await expect.poll(() => pair.innerText(), { timeout: 15_000 }).toMatch(said);
    const second = await e2e.browser.context.newPage();
    try {
      await second.goto(page.url());
      const there = second.getByRole('list', { name: 'Collisions this week' }).getByRole('listitem');
      await expect.poll(() => there.innerText(), { timeout: 15_000 }).toMatch(said);
      await there.getByRole('link', { name: TITLE }).nth(1).click();
      await second.waitForURL(new RegExp(`/changes/(${core}|${sre})$`));
    } finally { await second.close(); }
  }, 60_000);
});
