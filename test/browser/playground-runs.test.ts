// The playground as people use it: on a phone, a chart that starts empty and fresh, the validation
// curve, continue training, the temperature, and a run kept across a reload, downloaded and opened.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadCheckpoint } from '../../ts/train/checkpoint.js';
import { chartPixels, startPlayground, stepShown, text, trainToEnd, until, waitForText } from './playground-page.js';

const playground = startPlayground();

/**
 * Elements whose right edge is past the viewport's; elements whose content spills out of their box
 * (a table wider than its grid column, drawn over the next one: inside the viewport, yet unreadable);
 * and the page's scroll width against its width.
 */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const name = (e: Element) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.className}`;
    const all = Array.from(document.querySelectorAll('body *'));
    const spills = (e: Element) => {
      const style = getComputedStyle(e);
      return style.display !== 'inline' && style.overflowX === 'visible' && e.scrollWidth > e.clientWidth + 1;
    };
    return {
      wide: all.filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5).map(name),
      spilled: all.filter(spills).map(name),
      scroll: document.documentElement.scrollWidth,
      width: innerWidth,
    };
  });
const FITS_390 = { wide: [], spilled: [], scroll: 390, width: 390 };

test('on a 390 px phone: nothing wider than the screen before and after a run, a download and a restore; the chart follows the window', async () => {
  const { page, errors } = await playground.open({ width: 390, height: 844 });
  await waitForText(page, '#corpus-status', 'distinct');
  expect(await overflow(page)).toEqual(FITS_390);
  await trainToEnd(page, 'mlp', { steps: '40' });
  await until('a sample is shown', async () => (await text(page, '#sample')).length > 100);
  expect(await overflow(page)).toEqual(FITS_390);
  // The page's longest lines: a download's status, the restore button after a reload, a restored run.
  await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  await waitForText(page, '#file-status', 'saved ');
  expect(await overflow(page)).toEqual(FITS_390);
  await page.reload();
  await page.locator('#restore').waitFor({ state: 'visible' });
  expect(await overflow(page)).toEqual(FITS_390);
  await page.click('#restore');
  await waitForText(page, '#file-status', 'opened the run kept in this browser');
  await until("the restored run's sample is shown", async () => (await text(page, '#sample')).length > 100);
  expect(await overflow(page)).toEqual(FITS_390);
  const canvasWidth = () => page.evaluate(() => document.querySelector('#chart canvas')!.getBoundingClientRect().width);
  const narrow = await canvasWidth();
  expect(narrow).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 700, height: 844 });
  await until('the chart widens with the window', async () => (await canvasWidth()) > narrow + 200);
  expect(await overflow(page)).toMatchObject({ wide: [], spilled: [], width: 700 });
  expect(errors).toEqual([]);
  await page.close();
});

test('the chart: an empty state before the first run, a validation curve when evaluating, fresh axes after reset', async () => {
  const { page, errors } = await playground.open();
  await waitForText(page, '#corpus-status', 'distinct');
  expect(await page.locator('#chart-empty').isVisible()).toBe(true);
  const empty = await chartPixels(page);
  const validationOff = () => page.evaluate(() => Array.from(document.querySelectorAll('.u-legend .u-series')).find((r) => r.textContent!.includes('validation'))!.classList.contains('u-off'));
  expect(await validationOff()).toBe(true);
  await trainToEnd(page, 'mlp', { steps: '60', valFraction: '0.1', evalEvery: '20', evalBatches: '2' });
  await until('the empty state gives way to the curve', async () => !(await page.locator('#chart-empty').isVisible()));
  await until('the validation series is drawn', async () => !(await validationOff()));
  await page.click('#reset');
  await waitForText(page, '#step', '—');
  expect(await page.locator('#chart-empty').isVisible()).toBe(true);
  await until('the chart is back to its empty axes', async () => (await chartPixels(page)) === empty);
  expect(await validationOff()).toBe(true);
  expect(errors).toEqual([]);
  await page.close();
});

test('continue training after the end, at the last lr; refused with the reason when a cosine schedule ends at 0; the temperature redraws the sample', async () => {
  const { page, errors } = await playground.open();
  await trainToEnd(page, 'mlp', { steps: '30' });
  expect(await text(page, '#continue-note')).toBe("more steps train at the schedule's last learning rate, 0.0100");
  const sample = await text(page, '#sample');
  await page.locator('#temperature').fill('0.3');
  await until('the sample is drawn again at temperature 0.3', async () => (await text(page, '#sample')) !== sample);
  expect(await text(page, '#temperature-value')).toBe('0.3');
  await page.fill('#more-steps', '25');
  await page.click('#continue');
  await waitForText(page, '#run-status', 'done at step 55', 60_000);
  expect(await stepShown(page)).toBe(55);
  // A refused continue says why and leaves the run done, ready to continue.
  await page.fill('#more-steps', '0');
  await page.click('#continue');
  await waitForText(page, '#run-status', 'more steps is 0, but must be a positive whole number. Fix:');
  expect(await page.locator('#continue').isEnabled()).toBe(true);

  await page.click('#reset');
  await trainToEnd(page, 'default', { steps: '20' });
  expect(await page.locator('#continue').isDisabled()).toBe(true);
  expect(await text(page, '#continue-note')).toMatch(/^the cosine schedule ends at learning rate 0, so more steps would not change the model\. Fix: /);
  expect(errors).toEqual([]);
  await page.close();
});

test('train, download, reload: the run kept in IndexedDB restores and continues; the downloaded file opens in a fresh page and continues to the same loss', async () => {
  const { page, errors } = await playground.open();
  await trainToEnd(page, 'mlp', { steps: '40' });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  expect(download.suggestedFilename()).toBe('wasmgrad-mlp-step40.safetensors');
  const file = join(mkdtempSync(join(tmpdir(), 'wasmgrad-download-')), download.suggestedFilename());
  await download.saveAs(file);
  const saved = loadCheckpoint(readFileSync(file), 'the download');
  expect({ kind: saved.kind, step: saved.step, model: saved.model, source: saved.run.data?.path }).toEqual({ kind: 'checkpoint', step: 40, model: { kind: 'mlp', hidden: 128 }, source: 'datasets/tinyShakespeare.txt' });
  expect(saved.metrics.map((p) => p.step)).toEqual(Array.from({ length: 40 }, (_, i) => i));

  await page.reload();
  await page.locator('#restore').waitFor({ state: 'visible' });
  expect(await text(page, '#restore')).toMatch(/^Restore last run \(step 40 on datasets\/tinyShakespeare\.txt, /);
  await page.click('#restore');
  await waitForText(page, '#file-status', 'opened the run kept in this browser (step 40): step 40 of 40');
  expect(await stepShown(page)).toBe(40);
  expect(await page.locator('#chart-empty').isVisible()).toBe(false); // its losses came with it
  await page.fill('#more-steps', '20');
  await page.click('#continue');
  await waitForText(page, '#run-status', 'done at step 60', 60_000);
  const restoredLoss = await text(page, '#loss');

  const fresh = await playground.open();
  await waitForText(fresh.page, '#corpus-status', 'distinct');
  expect(await fresh.page.locator('#restore').isHidden()).toBe(true); // a new browser context keeps nothing
  await fresh.page.setInputFiles('#open-file', file);
  await waitForText(fresh.page, '#file-status', 'opened wasmgrad-mlp-step40.safetensors: step 40 of 40');
  await fresh.page.fill('#more-steps', '20');
  await fresh.page.click('#continue');
  await waitForText(fresh.page, '#run-status', 'done at step 60', 60_000);
  // The same state, continued the same way: the same bits.
  expect(await text(fresh.page, '#loss')).toBe(restoredLoss);

  // A file that is not a checkpoint: the library's message, and the run is untouched.
  await fresh.page.setInputFiles('#open-file', { name: 'notes.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a safetensors file') });
  await until('the file status shows an error', async () => (await fresh.page.locator('#file-status').getAttribute('class'))!.includes('error'));
  expect(await text(fresh.page, '#file-status')).toMatch(/notes\.safetensors.*Fix: /);
  expect(await stepShown(fresh.page)).toBe(60);
  expect([...errors, ...fresh.errors]).toEqual([]);
  await page.close();
  await fresh.page.close();
});
