import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, useBrowser, useE2e } from './browser.ts';

/**
 * A change manager in Paris, reading British English, plans tomorrow night's patch: the change's page, the list of
 * changes, the calendar and the timeline say its window one way (the day as a person names it, the reader's clock,
 * how far off), the absolute date on hover and on paper; a reload and a second tab say the same, and a colleague in
 * New York reads the same window in their own zone and clock. (The server runs in UTC.)
 */
const e2e = useE2e('change-dates', { server: { demo: { cis: 200 } }, timezoneId: 'Europe/Paris', locale: 'en-GB' });
const newYork = useBrowser('change-dates-new-york', { timezoneId: 'America/New_York', locale: 'en-US' });
let change: { id: string; window: { start: string; end: string } };

/** 22:00 tomorrow in Paris, as an instant: Paris is UTC+1 in winter and UTC+2 in summer. */
function tomorrowNightInParis(): Date {
  const day = new Date(Date.now() + 86_400_000);
  const ymd = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(day);
  for (const offset of ['+01:00', '+02:00']) {
    const t = new Date(`${ymd}T22:00:00${offset}`);
    if (new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hourCycle: 'h23' }).format(t) === '22') return t;
  }
  throw new Error('no 22:00 in Paris tomorrow');
}

beforeAll(async () => {
  const db = (await e2e.srv.api('/api/v1/cis?class=database&limit=1')).body.items[0];
  const start = tomorrowNightInParis();
  change = (await e2e.srv.api('/api/v1/changes', { body: { title: 'dates: patch the database', type: 'normal', window: { start: start.toISOString(), end: new Date(start.getTime() + 90 * 60_000).toISOString() }, cis: [db.id] } })).body;
}, 60_000);

/** The window as the change's page says it at its top. */
const headerWindow = (page: Page) => page.getByLabel('Window', { exact: true });
const PARIS_WINDOW = /^tomorrow night 22:00 – 23:30 \(1 h 30 min\), in \d+ h$/;

describe('a change\'s window, said one way everywhere', () => {
  it('reads "tomorrow night 22:00 – 23:30 (1 h 30 min), in N h" on its page, in the list and on the calendar, with the date on hover', async () => {
    const page = await e2e.signIn(`/changes/${change.id}`);
    await expect.poll(() => headerWindow(page).innerText()).toMatch(PARIS_WINDOW);
    // Hovering gives the absolute dates, with the year and the zone.
    const start = new Date(change.window.start);
    const year = start.getUTCFullYear();
    await expect(headerWindow(page).locator('time').getAttribute('title')).resolves
      .toMatch(new RegExp(`^\\w{3}, \\d+ \\w{3} ${year}, 22:00 CES?T – \\w{3}, \\d+ \\w{3} ${year}, 23:30 CES?T$`));
    // The timeline's entries are instants of today, on the same clock.
    await expect(page.getByRole('list', { name: 'Timeline' }).locator('time').first().innerText()).resolves.toMatch(/^today \d\d:\d\d$/);
    await screenshot(page, 'change-dates-page');

    // On paper the relative words would be wrong by the time it is read: the absolute dates are printed instead.
    await page.emulateMedia({ media: 'print' });
    await expect(headerWindow(page).innerText()).resolves.toMatch(new RegExp(`${year}, 22:00 CES?T – .*23:30 CES?T$`));
    await page.emulateMedia({ media: 'screen' });

    await page.goto(`${e2e.srv.url}/changes`);
    const item = page.getByRole('list', { name: 'Changes' }).getByRole('listitem').filter({ hasText: 'dates: patch the database' });
    await expect(item.locator('time').innerText()).resolves.toMatch(PARIS_WINDOW);

    await page.goto(`${e2e.srv.url}/calendar?week=${new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(start)}`);
    const listed = page.getByRole('list', { name: 'Changes this week' }).getByRole('listitem').filter({ hasText: 'dates: patch the database' });
    await expect(listed.locator('time').innerText()).resolves.toMatch(PARIS_WINDOW);
    await screenshot(page, 'change-dates-calendar');
  }, 90_000);

  it('says the same after a reload and in a second tab', async () => {
    const page = e2e.page;
    await page.goto(`${e2e.srv.url}/changes/${change.id}`);
    await page.reload();
    await expect.poll(() => headerWindow(page).innerText()).toMatch(PARIS_WINDOW);
    const second = await e2e.browser.context.newPage();
    try {
      await second.goto(`${e2e.srv.url}/changes/${change.id}`);
      await expect.poll(() => headerWindow(second).innerText()).toMatch(PARIS_WINDOW);
    } finally { await second.close(); }
  }, 60_000);

  it('reads in New York as tomorrow 4:00 PM – 5:30 PM, the same instants on a New Yorker\'s clock', async () => {
    const page = await e2e.signIn(`/changes/${change.id}`, { page: newYork.page });
    await expect.poll(() => headerWindow(page).innerText()).toMatch(/^tomorrow 4:00 PM – 5:30 PM \(1 h 30 min\), in \d+ h$/);
    await expect(headerWindow(page).locator('time').getAttribute('title')).resolves.toMatch(/4:00 PM ES?T – .*5:30 PM ES?T$/);
    await screenshot(page, 'change-dates-new-york');
  }, 60_000);

  it('says a reschedule on the timeline as it says the window, the open page following it live', async () => {
    const page = e2e.page;
    await page.goto(`${e2e.srv.url}/changes/${change.id}`);
    await expect.poll(() => headerWindow(page).innerText()).toMatch(PARIS_WINDOW);
    const start = new Date(Date.parse(change.window.start) - 3600_000);
    const window = { start: start.toISOString(), end: new Date(start.getTime() + 90 * 60_000).toISOString() };
    expect((await e2e.srv.api(`/api/v1/changes/${change.id}`, { method: 'PATCH', body: { window, comment: 'the CAB wants it earlier' } })).status).toBe(200);
    await expect.poll(() => headerWindow(page).innerText(), { timeout: 15_000 }).toMatch(/^tomorrow night 21:00 – 22:30 \(1 h 30 min\), in \d+ h$/);
    await expect(page.getByRole('list', { name: 'Timeline' }).getByRole('listitem').filter({ hasText: 'rescheduled' }).innerText()).resolves
      .toMatch(/^today \d\d:\d\d · admin.*\nWINDOW rescheduled to tomorrow night 21:00 – 22:30 \(1 h 30 min\): the CAB wants it earlier$/);
    // The schedule form follows the recorded window: left on the old one, it offered to move the change back.
    const schedule = page.getByRole('form', { name: 'Schedule' });
    await expect(schedule.getByLabel('Start').inputValue()).resolves.toMatch(/T21:00$/);
    await expect(schedule.getByRole('button', { name: 'Reschedule' }).isDisabled()).resolves.toBe(true);
    await screenshot(page, 'change-dates-rescheduled');
  }, 60_000);
});
