// The playground (web/) served and opened in headless Chromium, and what its tests read off a page.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.js';
import { serve, type RunningServer } from '../../scripts/serve.js';
import { buildPlayground } from '../../scripts/web-build.js';

const root = join(__dirname, '..', '..');

/**
 * Builds and serves the playground and launches Chromium for the calling test file (beforeAll),
 * closing both after it. Every `open` is a new browser context: its own IndexedDB.
 */
export function startPlayground() {
  let browser: Browser;
  let server: RunningServer;
  beforeAll(async () => {
    if (!existsSync(join(root, 'datasets', 'tinyShakespeare.txt'))) {
      throw new Error('datasets/tinyShakespeare.txt is missing: the playground loads it by default. Fix: cp ../shared/datasets/tinyShakespeare.txt datasets/ (bash .ci/run does it).');
    }
    server = await serve(await buildPlayground());
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    async open(viewport = { width: 1280, height: 900 }): Promise<{ page: Page; errors: string[] }> {
      const page = await browser.newPage({ viewport, acceptDownloads: true });
      const errors = collectErrors(page);
      await page.goto(server.url);
      return { page, errors };
    },
  };
}

/** Console errors and uncaught exceptions of a page, as they happen. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

export const text = (page: Page, selector: string) => page.locator(selector).innerText();
export const waitForText = (page: Page, selector: string, part: string, timeout = 30_000) =>
  page.waitForFunction(([s, p]) => document.querySelector(s)!.textContent!.includes(p), [selector, part] as const, { timeout });
export const chartPixels = (page: Page) => page.evaluate(() => document.querySelector<HTMLCanvasElement>('#chart canvas')!.toDataURL());
/** The [at init, now] texts of one row of the statistics table. */
export const statsRow = (page: Page, label: string) =>
  page.evaluate((l) => {
    const row = Array.from(document.querySelectorAll<HTMLTableRowElement>('#stats tbody tr')).find((r) => r.cells[0].textContent === l)!;
    return [row.cells[1].textContent, row.cells[2].textContent];
  }, label);
/** The step counter as a number. */
export const stepShown = async (page: Page) => Number((await text(page, '#step')).replace(/,/g, ''));

/** Polls `condition` until it holds; fails naming `what` after `timeout` ms. */
export async function until(what: string, condition: () => Promise<boolean>, timeout = 30_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for the corpus, sets the preset and fields, starts, and waits until the run is done. */
export async function trainToEnd(page: Page, preset: string, fields: Record<string, string>): Promise<void> {
  await waitForText(page, '#corpus-status', 'distinct');
  await page.selectOption('[name=preset]', preset);
  for (const [name, value] of Object.entries(fields)) await page.fill(`[name=${name}]`, value);
  await page.click('#start');
  await waitForText(page, '#run-status', 'done at step', 120_000);
}
