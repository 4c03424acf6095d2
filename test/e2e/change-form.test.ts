import { beforeAll, describe, expect, it } from 'vitest';
import { screenshot, useE2e } from './browser.ts';

/**
 * The new-change form of a change manager planning tonight's work, in a browser in Paris while the server runs in
 * UTC (reading British English: a 24-hour clock): a night preset is one click, its times are the browser's, exact times stay one choice away, and the
 * keyboard walks the form in reading order.
 */
let db: { id: string; name: string };
const ZONE = 'Europe/Paris';
const e2e = useE2e('change-form', { server: { demo: { cis: 200 } }, timezoneId: ZONE, locale: 'en-GB' });
/** An instant as a wall clock in Paris: "22:00". */
const parisTime = (iso: string) => new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

beforeAll(async () => {
  db = (await e2e.srv.api('/api/v1/cis?class=database&limit=1')).body.items[0];
}, 120_000);

describe('the window of a new change', () => {
  it('is tonight from 22:00 for 2 h in one click, in the browser\'s zone, and the keyboard meets 7 stops in reading order', async () => {
    const page = await e2e.signIn('/changes/new');
    // Tab from the title of the fresh form: each stop named as a screen reader names it, until focus leaves the form.
    await page.getByLabel('Title').focus();
    const stops: string[] = [];
    for (let i = 0; i < 10; i++) {
      const name = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el?.closest('form')) return null;
        const label = (el as HTMLInputElement).labels?.[0]?.textContent?.trim().replace(/\s+/g, ' ');
        return el.getAttribute('aria-label') ?? (el.tagName === 'BUTTON' ? el.textContent!.trim() : label ?? el.tagName);
      });
      if (name === null) break;
      stops.push(name);
      await page.keyboard.press('Tab');
    }
    expect(stops.map((s) => s.replace(/^(Type|Implementation|Duration).*/, '$1').replace(/^(Tonight|Tomorrow night|\w+ night) 22:00$/, 'the first night'))).toEqual([
      expect.stringMatching(/^Title/), 'Type', 'Implementation', 'the first night', 'Duration', 'CIs touched by the change', 'Create and assess',
    ]);
    // The radios are one stop: the arrows move between them.
    const when = page.getByRole('radiogroup', { name: 'When' });
    const radios = when.getByRole('radio');
    expect(await radios.count()).toBe(3);
    await expect(radios.nth(2).getAttribute('aria-label')).resolves.toBeNull();
    await expect(radios.nth(0).isChecked()).resolves.toBe(true);

    await page.getByLabel('Title').fill('form: patch the database tonight');
    // Creating without a CI says what is missing and puts the cursor where it goes.
    await page.getByRole('button', { name: 'Create and assess' }).click();
    await page.getByRole('alert').filter({ hasText: 'Add the CIs the change touches' }).waitFor();
    await expect(page.evaluate(() => (document.activeElement as HTMLInputElement).labels?.[0]?.textContent)).resolves.toBe('CIs touched by the change');

    // One click on the first night, the duration as it comes: 22:00 for 2 h, said in words before it is recorded.
    await radios.nth(0).click();
    await expect(page.getByLabel('Duration').inputValue()).resolves.toBe('2');
    await expect(page.getByText(/22:00 – .*00:00 \(2 h\)/).count()).resolves.toBe(1);
    await expect(page.getByText(`times in ${ZONE}`).count()).resolves.toBe(1);
    const box = page.getByRole('combobox', { name: 'CIs touched by the change' });
    await box.fill(db.name);
    await page.getByRole('listbox').getByRole('option').filter({ hasText: db.name }).first().waitFor();
    await box.press('Enter');
    await page.getByRole('list', { name: 'CIs touched' }).getByText(db.name).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshot(page, 'change-form-tonight');
    await page.getByRole('button', { name: 'Create and assess' }).click();
    await page.waitForURL(/\/changes\/chg-/);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const change = (await e2e.srv.api(`/api/v1/changes/${id}`)).body;
    expect(parisTime(change.window.start)).toBe('22:00');
    expect(Date.parse(change.window.end) - Date.parse(change.window.start)).toBe(2 * 3600_000);
    expect(Date.parse(change.window.start)).toBeGreaterThan(Date.now());
    expect(Date.parse(change.window.start) - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
  }, 90_000);

  it('keeps exact times one choice away, starting from the preset\'s, and a reload or a look elsewhere keeps the choice', async () => {
    const page = e2e.page;
    await page.goto(`${e2e.srv.url}/changes/new`);
    await page.getByLabel('Title').fill('form: a longer night');
    const radios = page.getByRole('radiogroup', { name: 'When' }).getByRole('radio');
    await radios.nth(1).check();
    await page.getByLabel('Duration').selectOption('4');
    await expect(page.getByText(/22:00 – .* 02:00 \(4 h\)/).count()).resolves.toBe(1);
    // A reload keeps the half-written change, preset and duration included.
    await page.reload();
    await expect(page.getByLabel('Title').inputValue()).resolves.toBe('form: a longer night');
    await expect(radios.nth(1).isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Duration').inputValue()).resolves.toBe('4');
    // Exact times start as the night just shown; moving the end moves the words.
    await page.getByRole('radio', { name: 'Exact times…' }).check();
    const start = await page.getByLabel('Start').inputValue();
    const end = await page.getByLabel('End').inputValue();
    expect(start).toMatch(/T22:00$/);
    expect(end).toMatch(/T02:00$/);
    await page.getByLabel('End').fill(end.replace('T02:00', 'T01:30'));
    await expect(page.getByText(/22:00 – .* 01:30 \(3 h 30 min\)/).count()).resolves.toBe(1);
    await page.getByLabel('End').fill(start.replace('T22:00', 'T21:00'));
    await page.getByText('The end must come after the start.').waitFor();
    await screenshot(page, 'change-form-exact');
    await page.getByRole('button', { name: 'Discard draft' }).click();
    await expect(radios.nth(0).isChecked()).resolves.toBe(true);
  }, 60_000);

  it("moves a recorded change to the next night in one click on its page, the window said before and recorded after", async () => {
    const page = e2e.page;
    const start = Date.now() + 3 * 86_400_000;
    const change = (await e2e.srv.api('/api/v1/changes', { body: { title: 'form: moved by the CAB', type: 'normal', window: { start: new Date(start).toISOString(), end: new Date(start + 3600_000).toISOString() }, cis: [db.id] } })).body;
    await page.goto(`${e2e.srv.url}/changes/${change.id}`);
    const schedule = page.getByRole('form', { name: 'Schedule' });
    await schedule.waitFor();
    // The recorded window, as exact times: nothing to reschedule until something moves.
    await expect(schedule.getByRole('radio', { name: 'Exact times…' }).isChecked()).resolves.toBe(true);
    await expect(schedule.getByRole('button', { name: 'Reschedule' }).isDisabled()).resolves.toBe(true);
    await schedule.getByRole('radiogroup', { name: 'When' }).getByRole('radio').nth(1).check();
    await schedule.getByLabel('Duration').selectOption('4');
    await expect(schedule.getByText(/22:00 – .* 02:00 \(4 h\)/).count()).resolves.toBe(1);
    await schedule.getByRole('button', { name: 'Reschedule' }).click();
    await page.getByRole('list', { name: 'Timeline' }).getByText(/rescheduled to/).waitFor();
    const moved = (await e2e.srv.api(`/api/v1/changes/${change.id}`)).body;
    expect(parisTime(moved.window.start)).toBe('22:00');
    expect(Date.parse(moved.window.end) - Date.parse(moved.window.start)).toBe(4 * 3600_000);
    // Tomorrow night in Paris: 24 to 48 hours from today's 22:00 there.
    expect(Date.parse(moved.window.start) - Date.now()).toBeGreaterThan(0);
    expect(Date.parse(moved.window.start) - Date.now()).toBeLessThanOrEqual(48 * 3600_000);
    // The form now shows the window as recorded.
    await expect(schedule.getByRole('radio', { name: 'Exact times…' }).isChecked()).resolves.toBe(true);
    await expect(schedule.getByLabel('Start').inputValue()).resolves.toMatch(/T22:00$/);
    await screenshot(page, 'change-form-rescheduled');
  }, 60_000);
});
