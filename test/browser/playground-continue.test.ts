// Runs that go on past their schedule's steps, files that open or do not: continued, paused, resumed, kept
// across a reload; a model file of another kind than the form's opens with its own model; a bad file changes nothing.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { decodeSafetensors, encodeSafetensors } from '../../ts/io/safetensors.js';
import { encodeModelFile } from '../../ts/nn/model-file.js';
import { loadCheckpoint } from '../../ts/train/checkpoint.js';
import { startPlayground, stepShown, text, trainToEnd, until, waitForText } from './playground-page.js';

const playground = startPlayground();
const count = (n: number) => n.toLocaleString('en-US');

test('a continued run pauses and resumes to its new end, and restores after a reload though it is past its schedule', async () => {
  const { page, errors } = await playground.open();
  await trainToEnd(page, 'mlp', { steps: '30' });
  expect(await page.inputValue('#more-steps')).toBe('15'); // half the run's steps
  await page.fill('#more-steps', '100000');
  await page.click('#continue');
  await waitForText(page, '#total', '100,030');
  await until('the continued run trains', async () => (await stepShown(page)) > 60);
  await page.click('#pause');
  await waitForText(page, '#run-status', 'paused at step');
  const paused = await stepShown(page);
  await page.click('#start'); // Resume: on to the continued run's end, not back to the schedule's
  await until('the resumed run trains on', async () => (await stepShown(page)) > paused + 20);
  await page.click('#pause');
  await waitForText(page, '#run-status', 'paused at step');
  const kept = await stepShown(page);
  expect(await text(page, '#total')).toBe('100,030');

  // Kept at step `kept` with config.steps 30: it restores, and continues from there.
  await page.reload();
  await page.locator('#restore').waitFor({ state: 'visible' });
  await page.click('#restore');
  await waitForText(page, '#file-status', `opened the run kept in this browser (step ${count(kept)})`);
  expect(await stepShown(page)).toBe(kept);
  await page.fill('#more-steps', '10');
  await page.click('#continue');
  await waitForText(page, '#run-status', `done at step ${count(kept + 10)}`, 60_000);

  // After a reload, Reset forgets the kept run without restoring it.
  await page.reload();
  await page.locator('#restore').waitFor({ state: 'visible' });
  await page.click('#reset');
  await page.locator('#restore').waitFor({ state: 'hidden' });
  const keptStep = () =>
    page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('wasmgrad-playground');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('runs').objectStore('runs').get('last');
            get.onsuccess = () => resolve(get.result === undefined ? null : get.result.step);
          };
        }),
    );
  expect(await keptStep()).toBeNull();
  expect(errors).toEqual([]);
  await page.close();
});

test("a model file of another kind than the form's opens with its own model: the checkpoint's sample, and it trains from there", async () => {
  const { page, errors } = await playground.open();
  await trainToEnd(page, 'context', { steps: '5' });
  const sample = await text(page, '#sample');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const saved = loadCheckpoint(readFileSync((await download.path())!), 'the download');
  const file = join(mkdtempSync(join(tmpdir(), 'wasmgrad-model-')), 'context.safetensors');
  writeFileSync(file, encodeModelFile(saved.model, saved.vocab, saved.params));

  const fresh = await playground.open(); // its form shows the default preset: an mlp
  await waitForText(fresh.page, '#corpus-status', 'distinct');
  await fresh.page.setInputFiles('#open-file', file);
  await waitForText(fresh.page, '#run-status', 'paused at step 0');
  expect(await text(fresh.page, '#file-status')).toBe('opened context.safetensors: step 0 of 700');
  // The same parameters and sampling seed: the same text.
  expect(await text(fresh.page, '#sample')).toBe(sample);
  await fresh.page.click('#start');
  await until('the new run trains from the file', async () => (await stepShown(fresh.page)) > 3);
  await fresh.page.click('#pause');
  await waitForText(fresh.page, '#run-status', 'paused at step');
  expect([...errors, ...fresh.errors]).toEqual([]);
  await page.close();
  await fresh.page.close();
});

test('a run stopped at 40 steps and continued to 60 (restored after a reload, or opened from its download) saves the bytes of one that never stopped', async () => {
  const settings = { steps: '40' };
  const download = async (page: Page) => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    return readFileSync((await file.path())!);
  };
  const continueBy = async (page: Page, steps: number, to: number) => {
    await page.fill('#more-steps', String(steps));
    await page.click('#continue');
    await waitForText(page, '#run-status', `done at step ${to}`, 60_000);
  };

  const straight = await playground.open();
  await trainToEnd(straight.page, 'mlp', settings);
  await continueBy(straight.page, 20, 60);
  const reference = await download(straight.page);

  const kept = await playground.open();
  await trainToEnd(kept.page, 'mlp', settings);
  const at40 = await download(kept.page);
  await kept.page.reload();
  await kept.page.locator('#restore').waitFor({ state: 'visible' });
  await kept.page.click('#restore');
  await waitForText(kept.page, '#run-status', 'done at step 40');
  await continueBy(kept.page, 20, 60);
  const restored = await download(kept.page);

  const opened = await playground.open();
  await waitForText(opened.page, '#corpus-status', 'distinct');
  await opened.page.setInputFiles('#open-file', { name: 'run.safetensors', mimeType: 'application/octet-stream', buffer: at40 });
  await waitForText(opened.page, '#run-status', 'done at step 40');
  await continueBy(opened.page, 20, 60);
  const reopened = await download(opened.page);

  expect(loadCheckpoint(reference).step).toBe(60);
  // Parameters, optimizer state, PRNG state and every loss: byte for byte (Buffer.equals, not a 4-digit loss).
  expect(restored.equals(reference)).toBe(true);
  expect(reopened.equals(reference)).toBe(true);
  expect([...straight.errors, ...kept.errors, ...opened.errors]).toEqual([]);
  for (const { page } of [straight, kept, opened]) await page.close();
});

test("a truncated checkpoint, or one missing a tensor: the library's message, and the run on the page and the one kept for a reload stay as they were", async () => {
  const { page, errors } = await playground.open();
  await trainToEnd(page, 'mlp', { steps: '20' });
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const bytes = readFileSync((await file.path())!);
  const { tensors, metadata } = decodeSafetensors(bytes, 'the download');
  const { w1: _dropped, ...others } = tensors;
  const bad = [
    { name: 'truncated.safetensors', buffer: bytes.subarray(0, bytes.length - 100) },
    { name: 'missing.safetensors', buffer: Buffer.from(encodeSafetensors(others, metadata)) },
  ];
  for (const { name, buffer } of bad) {
    await page.setInputFiles('#open-file', { name, mimeType: 'application/octet-stream', buffer });
    await until(`the error about ${name} is shown`, async () => (await text(page, '#file-status')).startsWith(name));
    const library = (() => {
      try {
        loadCheckpoint(buffer, name);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(library).toMatch(name === 'missing.safetensors' ? /'w1'/ : /\(truncated checkpoint\)/);
    expect(await text(page, '#file-status')).toBe(library);
    expect(await page.locator('#file-status').getAttribute('class')).toContain('error');
    expect(await stepShown(page)).toBe(20);
  }
  await page.reload();
  await page.locator('#restore').waitFor({ state: 'visible' });
  expect(await text(page, '#restore')).toMatch(/^Restore last run \(step 20 on /);
  expect(errors).toEqual([]);
  await page.close();
});
