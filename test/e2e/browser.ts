import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven through playwright-core: no browser download, a fresh profile per run.
 * The flags keep it quiet on a shared, offline machine.
 */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
export const resultsDir = join(process.cwd(), 'test-results');

export interface TestBrowser { context: BrowserContext; page: Page; close(): Promise<void> }

/** `timezoneId`: the browser's time zone (an IANA name), e.g. to show local times are the browser's, not the server's. */
export async function openBrowser(opts: { width?: number; height?: number; timezoneId?: string } = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'sg-chromium-'));
  // Playwright passes the profile as --user-data-dir itself when given one (a persistent context).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath, args: chromiumArgs, headless: true,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 }, acceptDownloads: true,
    ...(opts.timezoneId ? { timezoneId: opts.timezoneId } : {}),
  });
  const page = context.pages()[0] ?? await context.newPage();
  return {
    context, page,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-window screenshot as test-results/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Waits until the map has drawn its latest update (the app exposes its view for tests). */
export async function mapSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const sg = (window as unknown as { __servicegraph?: { map: { loading: boolean }; view: unknown } }).__servicegraph;
    return !!sg && !!sg.view && !sg.map.loading;
  });
  // The view's latest update laid out and shown: an update the app hands the view a moment later replaces `settled`,
  // and a veiled view is still laying out (a screenshot taken on the earlier `settled` caught the change's map blank).
  await page.evaluate(async () => {
    type View = { settled: Promise<unknown>; veiled: boolean };
    const sg = (window as unknown as { __servicegraph: { map: { loading: boolean }; view: View | null } }).__servicegraph;
    for (const deadline = Date.now() + 30_000; ;) {
      const view = sg.view, settled = view?.settled;
      await settled;
      if (view && sg.view === view && view.settled === settled && !view.veiled && !sg.map.loading) return;
      if (Date.now() > deadline) throw new Error(`the map did not settle in 30 s (veiled: ${view?.veiled}, loading: ${sg.map.loading})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
}

/** Runs `body` in the page with `sg` bound to the app's test handle (window.__servicegraph) and returns what it returns. */
export const inApp = <T>(page: Page, body: string) => page.evaluate(`(() => { const sg = window.__servicegraph; ${body} })()`) as Promise<T>;

/**
 * What covers the map's count ("6 CIs, 7 relations") or pushes it out of the map: the names of the map's other
 * overlays (toolbar, overview, legend) whose boxes cross the count's, and "outside" if it leaves the map.
 */
export async function mapCountCoveredBy(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const status = document.querySelector('.wrap > .status');
    if (!status) return ['no count'];
    const s = status.getBoundingClientRect(), map = status.parentElement!.getBoundingClientRect();
    const covered: string[] = [];
    if (s.left < map.left || s.right > map.right || s.top < map.top || s.bottom > map.bottom) covered.push('outside');
    for (const sel of ['.tools', '.overview', '.legend']) {
      const el = status.parentElement!.querySelector(sel);
      if (!el || getComputedStyle(el).display === 'none') continue;
      const r = el.getBoundingClientRect();
      if (r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom) covered.push(sel);
    }
    return covered;
  });
}
