// The playground (web/) in headless Chromium, driven like a user: load, train, pause, benchmark.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chartPixels, startPlayground, statsRow, text, until, waitForText } from './playground-page.js';

const root = join(__dirname, '..', '..');
const SCREENSHOT = join(root, 'test-artifacts', 'playground.png');
const STEPS = 200;

const playground = startPlayground();
const open = () => playground.open();

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
