// npm run measure:web [-- --bench]: the playground's training speed in Chromium against Node's, and
// how long the page's main thread is ever blocked while the worker trains. Measures, asserts nothing.
//   Node:     the mlp preset on wasm-simd with the Trainer directly, on datasets/tinyShakespeare.txt
//   Chromium: the playground (npm run web) training the same preset on the same file
// The two take turns (the machine's cores are shared) and each figure is the median of its rounds.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { median } from '../ts/bench/measure.js';
import { makeDataset } from '../ts/data/dataset.js';
import { loadBackend } from '../ts/node/backends.js';
import { PRESETS } from '../ts/train/presets.js';
import { Trainer } from '../ts/train/trainer.js';
import { launchChromium } from './chromium.js';
import { serve } from './serve.js';
import { buildPlayground } from './web-build.js';

const ROUNDS = 3;
const WINDOW_MS = 5000;
const WARMUP_STEPS = 300;
const corpus = join(import.meta.dirname, '..', 'datasets', 'tinyShakespeare.txt');
const withBench = process.argv.includes('--bench');

// ---- Node: the Trainer alone --------------------------------------------------------------------
const nodeTrainer = new Trainer(await loadBackend('wasm-simd'), makeDataset(readFileSync(corpus, 'utf8')), PRESETS.mlp.config);
for (let i = 0; i < WARMUP_STEPS; i++) nodeTrainer.trainStep();
function nodeRate(): number {
  const start = performance.now();
  let steps = 0;
  while (performance.now() - start < WINDOW_MS) {
    nodeTrainer.trainStep();
    steps++;
  }
  return (1000 * steps) / (performance.now() - start);
}

// ---- Chromium: the playground -------------------------------------------------------------------
/**
 * Installed before the page's own scripts: records long tasks (≥ 50 ms, the browser's definition)
 * and the longest gap between animation frames, which also catches shorter stalls. A string, not a
 * function: tsx compiles functions with name helpers that do not exist in the page.
 */
const MONITOR = `
  window.longTasks = [];
  window.maxFrameGap = 0;
  window.frames = 0;
  new PerformanceObserver((list) => list.getEntries().forEach((e) => window.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
  let last = performance.now();
  requestAnimationFrame(function frame(t) {
    window.maxFrameGap = Math.max(window.maxFrameGap, t - last);
    window.frames++;
    last = t;
    requestAnimationFrame(frame);
  });
`;
interface Monitor {
  longTasks: number[];
  maxFrameGap: number;
  frames: number;
}

const server = await serve(await buildPlayground());
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.addInitScript({ content: MONITOR });
page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
await page.goto(server.url);
await page.waitForFunction(() => document.getElementById('corpus-status')!.textContent!.includes('distinct'));
await page.selectOption('[name=preset]', 'mlp');
await page.selectOption('[name=backend]', 'wasm-simd');

const steps = (p: Page) => p.evaluate(() => Number(document.getElementById('step')!.textContent!.replace(/,/g, '')) || 0);
const resetMonitor = (p: Page) => p.evaluate(() => Object.assign(window, { longTasks: [], maxFrameGap: 0, frames: 0 }));
const readMonitor = (p: Page) =>
  p.evaluate(() => {
    const { longTasks, maxFrameGap, frames } = window as unknown as Monitor;
    return { longTasks, maxFrameGap, frames };
  });

async function chromiumRate(): Promise<Monitor & { rate: number }> {
  await page.click('#start'); // Start, then Resume
  await page.waitForFunction((n) => Number(document.getElementById('step')!.textContent!.replace(/,/g, '')) >= n, (await steps(page)) + WARMUP_STEPS, { timeout: 60_000 });
  await resetMonitor(page);
  const s0 = await steps(page);
  const t0 = performance.now();
  await page.waitForTimeout(WINDOW_MS);
  const s1 = await steps(page);
  const t1 = performance.now();
  const monitor = await readMonitor(page);
  await page.click('#pause');
  await page.waitForFunction(() => document.getElementById('run-status')!.textContent === 'paused');
  return { rate: (1000 * (s1 - s0)) / (t1 - t0), ...monitor };
}

const node: number[] = [];
const chromium: number[] = [];
const longTasks: number[] = [];
const frameGaps: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const c = await chromiumRate();
  chromium.push(c.rate);
  longTasks.push(...c.longTasks);
  frameGaps.push(c.maxFrameGap);
  node.push(nodeRate());
  console.log(`round ${round}: Node ${node.at(-1)!.toFixed(0)} steps/s, Chromium ${c.rate.toFixed(0)} steps/s, ${c.frames} frames, longest gap ${c.maxFrameGap.toFixed(1)} ms, long tasks [${c.longTasks.map((d) => d.toFixed(0)).join(', ')}]`);
}
const ratio = median(chromium) / median(node);
console.log(`\nmlp preset, wasm-simd, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}, ${await browser.version()}`);
console.log(`Node     ${median(node).toFixed(0)} steps/s (median of ${ROUNDS} × ${WINDOW_MS / 1000} s)`);
console.log(`Chromium ${median(chromium).toFixed(0)} steps/s in the playground's worker: ${ratio.toFixed(2)}× Node`);
console.log(`main thread while training: longest gap between frames ${Math.max(...frameGaps).toFixed(1)} ms; long tasks (≥ 50 ms): ${longTasks.length ? longTasks.map((d) => `${d.toFixed(0)} ms`).join(', ') : 'none'}`);

if (withBench) {
  await page.click('#bench-run');
  await page.waitForFunction(() => document.getElementById('bench-status')!.textContent!.startsWith('done'), null, { timeout: 300_000 });
  console.log(`\n${await page.locator('#bench-table').innerText()}`);
}
nodeTrainer.dispose();
await browser.close();
await server.close();
