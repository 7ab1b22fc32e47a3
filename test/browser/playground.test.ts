// The playground (web/) in headless Chromium, driven like a user: load, train, pause, benchmark.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.js';
import { serve, type RunningServer } from '../../scripts/serve.js';
import { buildPlayground } from '../../scripts/web-build.js';

const root = join(__dirname, '..', '..');
const SCREENSHOT = join(root, 'test-artifacts', 'playground.png');
const STEPS = 200;

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

/** Console errors and uncaught exceptions of a page, as they happen. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

async function open(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(server.url);
  return { page, errors };
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();
const waitForText = (page: Page, selector: string, part: string, timeout = 30_000) =>
  page.waitForFunction(([s, p]) => document.querySelector(s)!.textContent!.includes(p), [selector, part] as const, { timeout });
const chartPixels = (page: Page) => page.evaluate(() => document.querySelector<HTMLCanvasElement>('#chart canvas')!.toDataURL());
/** The [at init, now] texts of one row of the statistics table. */
const statsRow = (page: Page, label: string) =>
  page.evaluate((l) => {
    const row = Array.from(document.querySelectorAll<HTMLTableRowElement>('#stats tbody tr')).find((r) => r.cells[0].textContent === l)!;
    return [row.cells[1].textContent, row.cells[2].textContent];
  }, label);

/** Polls `condition` until it holds; fails naming `what` after `timeout` ms. */
async function until(what: string, condition: () => Promise<boolean>, timeout = 30_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test(`trains the mlp preset in a worker: ${STEPS} steps, chart, statistics and sample update; the bench table appears`, async () => {
  const { page, errors } = await open();
  await waitForText(page, '#corpus-status', 'datasets/tinyShakespeare.txt: 1,115,394 characters, 65 distinct');
  const emptyChart = await chartPixels(page);
  // The form comes from the field tables: a model kind shows its own fields only.
  await page.selectOption('[name=preset]', 'perceptron');
  expect(await page.locator('[name=hidden]').isVisible()).toBe(false);
  await page.selectOption('[name=preset]', 'context');
  expect([await page.locator('[name=context]').inputValue(), await page.locator('[name=hidden]').inputValue()]).toEqual(['8', '256']);
  await page.selectOption('[name=preset]', 'mlp');
  expect(await page.locator('[name=context]').isVisible()).toBe(false);
  expect(await page.locator('[name=hidden]').inputValue()).toBe('128');
  await page.selectOption('[name=backend]', 'wasm-simd');
  await page.click('#start');

  await page.waitForFunction((n) => Number(document.getElementById('step')!.textContent!.replace(/,/g, '')) >= n, STEPS, { timeout: 120_000 });
  expect(await text(page, '#total')).toBe('10,000');
  // The page is cross-origin isolated, so wasm-simd trains on every core (at most 8).
  const cores = Math.min(8, await page.evaluate(() => navigator.hardwareConcurrency));
  expect(await text(page, '#backend-used')).toBe(cores > 1 ? `wasm-simd × ${cores} threads` : 'wasm-simd');
  expect(Number(await text(page, '#loss'))).toBeGreaterThan(0);
  expect(await page.locator('[name=lr]').isDisabled()).toBe(true); // a run's settings are fixed until reset
  await until('the chart shows the losses', async () => (await chartPixels(page)) !== emptyChart);
  // A snapshot after training began: the logits' statistics have moved from their initial value.
  await until('the statistics show a snapshot taken after training began', async () => {
    const [init, now] = await statsRow(page, 'output (logits)');
    return init !== now;
  });
  const [init, now] = await statsRow(page, 'output (logits)');
  expect(Number(init)).toBeGreaterThan(0);
  expect(Number(now)).toBeGreaterThan(0);
  expect((await text(page, '#sample')).length).toBeGreaterThan(100);

  await page.click('#pause');
  await waitForText(page, '#run-status', 'paused');
  expect(await page.locator('#start').innerText()).toBe('Resume');

  await page.click('#bench-run');
  await waitForText(page, '#bench-status', 'done', 120_000);
  const table = await text(page, '#bench-table');
  expect(table).toMatch(/wasm-simd ms +wasm-scalar ms +js ms/);
  for (const row of [/kernel +peak/, /kernel +matmul_nn +1024×65×128/, /kernel +gelu_fwd/, /step +mlp +1024×128×65/, /step +context-mlp +256×128×256×65/, /step +gpt +12×64×4×128/]) expect(table).toMatch(row);

  mkdirSync(join(root, 'test-artifacts'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});

test('says why a corpus cannot be used: HTTP 404, not UTF-8, one character, shorter than a batch', async () => {
  const { page } = await open();
  await waitForText(page, '#corpus-status', 'distinct');

  await page.fill('#corpus-url', 'datasets/missing.txt');
  await page.click('#corpus-form button');
  await waitForText(page, '#corpus-status', 'HTTP 404');
  expect(await text(page, '#corpus-status')).toMatch(/^could not load datasets\/missing\.txt: HTTP 404 Not Found\. Fix: /);
  expect(await page.locator('#start').isDisabled()).toBe(true);

  const choose = (name: string, bytes: number[] | string) =>
    page.setInputFiles('#corpus-file', { name, mimeType: 'text/plain', buffer: Buffer.from(bytes as never) });
  await choose('latin1.txt', [0x63, 0x61, 0x66, 0xe9, 0x0a]);
  await waitForText(page, '#corpus-status', 'latin1.txt');
  expect(await text(page, '#corpus-status')).toBe('latin1.txt is not UTF-8 text (invalid byte at offset 3). Fix: choose a UTF-8 text file, or another URL.');
  await choose('one.txt', 'a');
  await waitForText(page, '#corpus-status', 'one.txt');
  expect(await text(page, '#corpus-status')).toContain('one.txt has a single character');

  await choose('short.txt', 'abcabc');
  await waitForText(page, '#corpus-status', 'short.txt: 6 characters, 3 distinct');
  await page.selectOption('[name=preset]', 'mlp');
  await page.click('#start');
  await waitForText(page, '#run-status', 'larger than');
  // The library's config.batch, in the page's own word for it.
  expect(await text(page, '#run-status')).toBe("batch 1024 is larger than the 5 training windows. Fix: use a batch of 5 or less, or 'full'.");
  expect(await page.locator('#start').isDisabled()).toBe(false); // nothing started: fix the settings and try again
  await page.close();
});
