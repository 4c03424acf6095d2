import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resultsDir, screenshot, useE2e } from './browser.ts';

/**
 * The change manager takes the assessment to the CAB or into a ticket: one click copies it as Markdown (or
 * downloads it), and what lands on the clipboard says what the page says.
 */
const e2e = useE2e('change-cab', { server: { demo: { cis: 200 } } });
let changeId = '';
let other = '';

beforeAll(async () => {
  await e2e.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: e2e.srv.url });
  const start = Date.now() + 30 * 3600_000;
  const window = (from: number) => ({ start: new Date(from).toISOString(), end: new Date(from + 2 * 3600_000).toISOString() });
  // A database whose patch needs two teams or more (asked of the what-if assessment, which records nothing).
  const dbs = (await e2e.srv.api('/api/v1/cis?class=database&environment=production&limit=20')).body.items;
  let db: { id: string } | undefined;
  for (const d of dbs) {
    const what = (await e2e.srv.api('/api/v1/changes/assess', { body: { title: 'what if', type: 'normal', window: window(start), cis: [d.id] } })).body;
    if (what.approvalTeams.length >= 2) { db = d; break; }
  }
  if (!db) throw new Error('no database of the demo estate needs two approver teams');
  other = (await e2e.srv.api('/api/v1/changes', { body: { title: 'cab: upgrade the same database', type: 'normal', window: window(start + 3600_000), cis: [db.id] } })).body.id;
  const change = (await e2e.srv.api('/api/v1/changes', { body: { title: 'cab: patch the database tonight', type: 'normal', window: window(start), cis: [db.id] } })).body;
  changeId = change.id;
  // One approver team has decided, the others wait.
  const team = (await e2e.srv.api(`/api/v1/changes/${changeId}`)).body.approvalTeams[0].team;
  const r = await e2e.srv.api(`/api/v1/changes/${changeId}/approvals`, { body: { team, decision: 'approve' }, token: await e2e.srv.tokenFor('change-manager', team) });
  expect(r.status).toBe(201);
}, 120_000);

describe("a change's assessment for the CAB or the ticket", () => {
  it('is copied as Markdown in one click, says what the page says, and downloads as the same file', async () => {
    const page = await e2e.signIn(`/changes/${changeId}`);
    await page.getByRole('img', { name: /^Risk \d+ of 100/ }).waitFor();
    const a = (await e2e.srv.api(`/api/v1/changes/${changeId}/assessment`)).body;
    const view = (await e2e.srv.api(`/api/v1/changes/${changeId}`)).body;
    await page.getByRole('button', { name: 'Copy for the CAB / ticket' }).click();
    await page.getByRole('button', { name: 'Copied ✓' }).waitFor();
    const md = await page.evaluate(() => navigator.clipboard.readText());
    await screenshot(page, 'change-cab-copied');
    writeFileSync(join(resultsDir, 'change-cab.md'), md);

    const lines = md.split('\n');
    expect(lines[0]).toBe('# Change: cab: patch the database tonight');
    expect(md).toContain(`[${changeId}](${e2e.srv.url}/changes/${changeId})`);
    expect(md).toContain(`${a.blastRadius.total} CIs could be hit: ${a.blastRadius.summary.down} down, ${a.blastRadius.summary.degraded} degraded`);
    const down = a.blastRadius.services.filter((s: { state: string }) => s.state === 'down');
    expect(down.length).toBeGreaterThan(0);
    expect(lines).toContain(`| ${down[0].name} | ${down[0].tier ?? '—'} | ${down[0].owner ?? '—'} |`);
    expect(md).toContain(`## Risk: ${a.risk.score} of 100 (${a.risk.level})`);
    for (const f of a.risk.factors.filter((f: { points: number }) => f.points > 0)) expect(md).toContain(`| ${f.factor} | +${f.points} |`);
    const [decided, ...waiting] = view.approvalTeams;
    expect(md).toMatch(new RegExp(`^\\| ${decided.team} \\| approved by `, 'm'));
    expect(waiting.length).toBeGreaterThan(0);
    for (const t of waiting) expect(lines.some((l) => l.startsWith(`| ${t.team} | waiting |`))).toBe(true);
    expect(md).toContain(`- cab: upgrade the same database (${other}, planned,`);
    expect(md).toContain('## Collisions');

    // The same text as a file, for a ticket system that takes attachments.
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .md' }).click()]);
    expect(file.suggestedFilename()).toBe(`${changeId}-assessment.md`);
    expect(readFileSync((await file.path())!, 'utf8')).toBe(md);
  }, 90_000);

  it('is shown to be copied by hand where the browser refuses the clipboard', async () => {
    const page = await e2e.browser.context.newPage();
    await page.addInitScript(() => { navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError')); });
    await page.goto(`${e2e.srv.url}/changes/${changeId}`);
    await page.getByRole('button', { name: 'Copy for the CAB / ticket' }).click();
    const box = page.getByLabel('The browser did not allow copying: select this text and copy it');
    await expect(box.inputValue()).resolves.toMatch(/^# Change: cab: patch the database tonight\n/);
    await page.close();
  }, 60_000);
});

describe("the change's page at a glance", () => {
  it('answers what goes down or degrades, who must approve and what it collides with in the first screen, on a desk and on a phone', async () => {
    const page = await e2e.browser.context.newPage();
    const a = (await e2e.srv.api(`/api/v1/changes/${changeId}/assessment`)).body;
    const [decided, ...waiting] = (await e2e.srv.api(`/api/v1/changes/${changeId}`)).body.approvalTeams;
    const down = a.blastRadius.services.filter((s: { state: string }) => s.state === 'down').length;
    const degraded = a.blastRadius.services.filter((s: { state: string }) => s.state === 'degraded').length;
    for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      await page.setViewportSize(size);
      await page.goto(`${e2e.srv.url}/changes/${changeId}`);
      const glance = page.getByRole('list', { name: 'At a glance' });
      await glance.waitFor();
      const items = (await glance.getByRole('listitem').allInnerTexts()).map((t) => t.trim());
      expect(items).toEqual([
        `${down} ${down === 1 ? 'service' : 'services'} down, ${degraded || 'none'} degraded`,
        `Risk ${a.risk.score} (${a.risk.level})`,
        `Waiting for ${waiting.map((t: { team: string }) => t.team).join(', ')}; approved by ${decided.team}`,
        // Which change, should two share a title: its reference, window and who recorded it.
        expect.stringMatching(new RegExp(`^⚠ Collides with cab: upgrade the same database \\(${other}, planned, .+ \\(\\d+ h\\), recorded by admin`)),
      ]);
      const box = (await glance.boundingBox())!;
      expect(box.y + box.height).toBeLessThanOrEqual(size.height);
      await screenshot(page, `change-glance-${size.width}`);
    }
    await page.getByRole('list', { name: 'At a glance' }).getByRole('link', { name: 'cab: upgrade the same database' }).click();
    await page.waitForURL(`${e2e.srv.url}/changes/${other}`);
    await page.close();
  }, 60_000);
});
