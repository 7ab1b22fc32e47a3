// npm run measure:web [-- --bench]: the playground's training speed in Chromium against Node's, and
// how long the page's main thread is ever blocked while the worker trains. Measures, asserts nothing.
//   Node:     the mlp preset on wasm-simd with the Trainer directly, on datasets/tinyShakespeare.txt
//   Chromium: the playground (npm run web) training the same preset on the same file
// Both on the library's default threads: every core (at most 8); the output says how many each had.
// The two take turns in short rounds, so that load from other processes on the machine hits both
// alike; the ratio reported is the median of the rounds' ratios.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { median } from '../ts/bench/measure.js';
import { makeDataset } from '../ts/data/dataset.js';
import { loadBackend } from '../ts/node/backends.js';
import { PRESETS } from '../ts/train/presets.js';
import { Trainer } from '../ts/train/trainer.js';
import { launchChromium } from './chromium.js';
import { serve } from './serve.js';
import { buildPlayground } from './web-build.js';

const ROUNDS = 9;
const WINDOW_MS = 3000;
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
// Page scripts are strings: tsx compiles functions with name helpers that do not exist in the page.
/**
 * Before the page's own scripts: collects long tasks (≥ 50 ms, the browser's definition), and the
 * long animation frames around them, whose script entries say what ran. Passive.
 */
const LONG_TASKS = `
  window.longTasks = [];
  new PerformanceObserver((list) => list.getEntries().forEach((e) => window.longTasks.push({ start: e.startTime, duration: e.duration }))).observe({ type: 'longtask', buffered: true });
  window.longFrames = [];
  new PerformanceObserver((list) => list.getEntries().forEach((e) => window.longFrames.push({
    start: e.startTime, duration: e.duration,
    scripts: e.scripts.map((s) => s.invoker + ' ' + Math.round(s.duration) + ' ms'),
  }))).observe({ type: 'long-animation-frame', buffered: true });
`;
interface Entry {
  start: number;
  duration: number;
  scripts?: string[];
}
/**
 * The longest gap between animation frames over `ms`, which also catches stalls shorter than a long
 * task. Only in its own window: asking for every frame makes the page draw 60 times a second, which
 * costs CPU that a user's idle page does not spend, so it stays out of the speed rounds.
 */
const frameGaps = (ms: number) => `new Promise((done) => {
  let frames = 0, maxGap = 0, last = performance.now();
  const end = last + ${ms};
  requestAnimationFrame(function frame(t) {
    maxGap = Math.max(maxGap, t - last);
    frames++;
    last = t;
    if (t < end) requestAnimationFrame(frame);
    else done({ frames, maxGap });
  });
})`;

const server = await serve(await buildPlayground());
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.addInitScript({ content: LONG_TASKS });
page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
await page.goto(server.url);
await page.waitForFunction(() => document.getElementById('corpus-status')!.textContent!.includes('distinct'));
await page.selectOption('[name=preset]', 'mlp');
await page.selectOption('[name=backend]', 'wasm-simd');
await page.fill('[name=steps]', String(1_000_000)); // more than the rounds take: a constant schedule, so no other change
// Long tasks before this moment belong to loading the page and the corpus, not to training.
const trainingFrom = await page.evaluate(() => performance.now());

const steps = () => page.evaluate(() => Number(document.getElementById('step')!.textContent!.replace(/,/g, '')) || 0);

async function resume(): Promise<void> {
  await page.click('#start'); // Start the first time, Resume after
  await page.waitForFunction((n) => Number(document.getElementById('step')!.textContent!.replace(/,/g, '')) >= n, (await steps()) + WARMUP_STEPS, { timeout: 60_000 });
}

async function pause(): Promise<void> {
  await page.click('#pause');
  await page.waitForFunction(() => document.getElementById('run-status')!.textContent!.startsWith('paused'));
}

async function chromiumRate(): Promise<number> {
  await resume();
  const s0 = await steps();
  const t0 = performance.now();
  await page.waitForTimeout(WINDOW_MS);
  const rate = (1000 * ((await steps()) - s0)) / (performance.now() - t0);
  await pause();
  return rate;
}

const rounds: { node: number; chromium: number }[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const chromium = await chromiumRate();
  const node = nodeRate();
  rounds.push({ node, chromium });
  console.log(`round ${round}: Node ${node.toFixed(0)} steps/s, Chromium ${chromium.toFixed(0)} steps/s (${(chromium / node).toFixed(2)}×)`);
}
await resume();
const frames = (await page.evaluate(frameGaps(5000))) as { frames: number; maxGap: number };
await pause();
const recorded = await page.evaluate(() => {
  const w = window as unknown as { longTasks: Entry[]; longFrames: Entry[] };
  return { longTasks: w.longTasks, longFrames: w.longFrames };
});
const longTasks = recorded.longTasks.filter((t) => t.start >= trainingFrom).map((t) => t.duration);
const loadingTasks = recorded.longTasks.filter((t) => t.start < trainingFrom).map((t) => t.duration);
/** What ran in the long animation frame that holds a long task, if the browser attributed it. */
const attribution = recorded.longTasks
  .filter((t) => t.start >= trainingFrom)
  .map((t) => recorded.longFrames.find((f) => f.start <= t.start && t.start < f.start + f.duration))
  .map((f) => (f ? `${f.duration.toFixed(0)} ms frame: ${f.scripts!.join('; ') || 'no script (rendering, or the thread descheduled)'}` : 'no long frame recorded'));

const pageBackend = await page.locator('#backend-used').innerText();
console.log(`\nmlp preset, wasm-simd, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}, Chromium ${browser.version()}`);
console.log(`Node     ${median(rounds.map((r) => r.node)).toFixed(0)} steps/s (median of ${ROUNDS} × ${WINDOW_MS / 1000} s), wasm-simd × ${nodeTrainer.backend.threadCount} threads`);
console.log(`Chromium ${median(rounds.map((r) => r.chromium)).toFixed(0)} steps/s in the playground's worker, ${pageBackend}`);
console.log(`Chromium / Node: ${median(rounds.map((r) => r.chromium / r.node)).toFixed(2)}× (median of the rounds' ratios)`);
const list = (tasks: number[]) => (tasks.length ? tasks.map((d) => `${d.toFixed(0)} ms`).join(', ') : 'none');
console.log(`main thread while training: long tasks (≥ 50 ms) over all rounds: ${list(longTasks)}; ` +
  `longest gap between frames over 5 s: ${frames.maxGap.toFixed(1)} ms (${frames.frames} frames)`);
for (const a of attribution) console.log(`  ${a}`);
console.log(`main thread while loading the page and the corpus: long tasks ${list(loadingTasks)}`);

if (withBench) {
  await page.click('#bench-run');
  await page.waitForFunction(() => document.getElementById('bench-status')!.textContent!.startsWith('done'), null, { timeout: 300_000 });
  console.log(`\n${await page.locator('#bench-table').innerText()}`);
}
nodeTrainer.dispose();
await browser.close();
await server.close();
