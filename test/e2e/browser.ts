import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import type { Role } from '../../server/model/records.ts';

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

/**
 * `timezoneId`: the browser's time zone (an IANA name), e.g. to show local times are the browser's, not the server's;
 * `locale`: its language (en-US unless given), which decides how dates and clock times are written.
 */
export interface BrowserOptions { width?: number; height?: number; timezoneId?: string; locale?: string }

export async function openBrowser(opts: BrowserOptions = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'sg-chromium-'));
  // Playwright passes the profile as --user-data-dir itself when given one (a persistent context).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath, args: chromiumArgs, headless: true,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 }, acceptDownloads: true,
    ...(opts.timezoneId ? { timezoneId: opts.timezoneId } : {}), ...(opts.locale ? { locale: opts.locale } : {}),
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

/** A test file's browser, opened once for its tests, which share its tabs as a person would. */
export interface BrowserSession {
  readonly browser: TestBrowser;
  /** The first tab. */
  readonly page: Page;
}

/**
 * Opens a browser before the file's tests and closes it after them. A test fails when a tab of the browser (a second
 * tab or a popup too) threw an uncaught error or opened a dialog since the test began: the app opens none, so one is
 * page text run as script. A failed test leaves a picture of the tab it was on, test-results/<name>-failed-<test>.png.
 * `stepTimeout`: how long an action or a locator waits (a failed step names what it waited for, well inside the test's
 * own timeout).
 */
export function useBrowser(name: string, opts: BrowserOptions & { stepTimeout?: number } = {}): BrowserSession {
  let browser: TestBrowser | undefined;
  const errors: string[] = [];
  beforeAll(async () => {
    browser = await openBrowser(opts);
    browser.context.setDefaultTimeout(opts.stepTimeout ?? 15_000);
    browser.context.on('weberror', (e) => errors.push(`${e.page()?.url() ?? 'a tab'}: ${e.error().stack ?? e.error().message}`));
    browser.context.on('dialog', (d) => { errors.push(`${d.page()?.url() ?? 'a tab'}: a dialog: ${d.message()}`); void d.dismiss(); });
  }, 120_000);
  afterEach(async (ctx) => {
    const page = browser?.page;
    if (ctx.task.result?.state === 'fail' && page && !page.isClosed()) await screenshot(page, `${name}-failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    const seen = errors.splice(0);
    if (seen.length) throw new Error(`a tab failed during the test:\n${seen.join('\n')}`);
  });
  afterAll(async () => { await browser?.close(); });
  return {
    get browser() { return opened(browser); },
    get page() { return opened(browser).page; },
  };
}

/** A test file's server and browser; `signIn` opens a page of the app as a person following a signed-in link. */
export interface E2eSession extends BrowserSession {
  readonly srv: TestServer;
  /**
   * Opens `path` (e.g. '/root-cause') in `page` (the first tab unless given) signed in with the admin's token, or with
   * a token of `as` (a role, or a role and its team), as its signed-in link does. Returns the page.
   */
  signIn(path: string, opts?: { as?: Role | { role: Role; team?: string }; page?: Page; timeout?: number }): Promise<Page>;
}

/**
 * The real server (startTestServer's options: the demo estate, config) and a browser for a file's tests (useBrowser),
 * started before them and closed after them. A file's own beforeAll, declared after this, finds both started.
 */
export function useE2e(name: string, opts: { server?: Parameters<typeof startTestServer>[0] } & BrowserOptions & { stepTimeout?: number } = {}): E2eSession {
  let srv: TestServer | undefined;
  beforeAll(async () => { srv = await startTestServer(opts.server); }, 180_000);
  afterAll(async () => { await srv?.close(); });
  // Declared after the server's hooks, so the browser closes before the server (afterAll runs in reverse order).
  const session = useBrowser(name, opts);
  return {
    get browser() { return session.browser; },
    get page() { return session.page; },
    get srv() { return opened(srv); },
    async signIn(path, { as, page = session.page, timeout } = {}) {
      const s = opened(srv);
      const token = as === undefined ? s.adminToken : typeof as === 'string' ? await s.tokenFor(as) : await s.tokenFor(as.role, as.team);
      await page.goto(`${s.url}${path}#token=${encodeURIComponent(token)}`, timeout ? { timeout } : {});
      return page;
    },
  };
}

function opened<T>(x: T | undefined): T {
  if (x === undefined) throw new Error('the e2e session is used before its beforeAll ran (or after its afterAll)');
  return x;
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
