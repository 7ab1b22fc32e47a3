// The page: settings, buttons and drawing. Training and benchmarks run in worker.ts, so nothing here
// takes long: each worker message updates a few elements and the chart.
import type { ActivationStats } from '../ts/api.js';
import { LossChart } from './chart.js';
import { fetchCorpus, readCorpusFile, type CorpusBytes } from './corpus.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { Settings } from './settings.js';
import { renderStats } from './stats.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  corpusForm: $<HTMLFormElement>('corpus-form'),
  corpusUrl: $<HTMLInputElement>('corpus-url'),
  corpusFile: $<HTMLInputElement>('corpus-file'),
  corpusStatus: $('corpus-status'),
  start: $<HTMLButtonElement>('start'),
  pause: $<HTMLButtonElement>('pause'),
  reset: $<HTMLButtonElement>('reset'),
  runStatus: $('run-status'),
  moreSteps: $<HTMLInputElement>('more-steps'),
  continue: $<HTMLButtonElement>('continue'),
  continueNote: $('continue-note'),
  download: $<HTMLButtonElement>('download'),
  openFile: $<HTMLInputElement>('open-file'),
  restore: $<HTMLButtonElement>('restore'),
  fileStatus: $('file-status'),
  temperature: $<HTMLInputElement>('temperature'),
  temperatureValue: $<HTMLOutputElement>('temperature-value'),
  step: $('step'),
  total: $('total'),
  loss: $('loss'),
  rate: $('rate'),
  backend: $('backend-used'),
  stats: $<HTMLTableElement>('stats'),
  sample: $('sample'),
  bench: $<HTMLButtonElement>('bench-run'),
  benchStatus: $('bench-status'),
  benchTable: $('bench-table'),
};

const settings = new Settings($<HTMLFieldSetElement>('settings'));
const chart = new LossChart($('chart'), $('chart-empty'));
const worker = new Worker('worker.js', { type: 'module' });
const send = (message: ToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);

const state = {
  corpusReady: false,
  run: 'none' as 'none' | 'starting' | 'running' | 'paused' | 'done',
  benchmarking: false,
  benchStart: 0,
  /** What the run was before 'starting': where a refused start or continue leaves it. */
  beforeStart: 'none' as 'none' | 'paused' | 'done',
  init: null as ActivationStats | null,
  /** Why "continue training" cannot help this run, or null. */
  continueBlocked: null as string | null,
  /** A run kept in IndexedDB from an earlier visit. */
  stored: false,
};

function refresh(): void {
  const { run } = state;
  ui.start.disabled = !state.corpusReady || state.benchmarking || !(run === 'none' || run === 'paused');
  ui.start.textContent = run === 'paused' ? 'Resume' : 'Start';
  ui.pause.disabled = run !== 'running';
  // With no run on the page, Reset still forgets a kept one (one that no longer loads, say).
  ui.reset.disabled = (run === 'none' && !state.stored) || run === 'starting';
  const busy = run === 'starting' || run === 'running' || state.benchmarking;
  ui.continue.disabled = run !== 'done' || state.continueBlocked !== null || state.benchmarking;
  ui.moreSteps.disabled = ui.continue.disabled;
  ui.download.disabled = run === 'none' || run === 'starting';
  ui.openFile.disabled = busy || !state.corpusReady;
  ui.restore.hidden = !state.stored || run !== 'none';
  ui.restore.disabled = busy;
  ui.bench.disabled = state.benchmarking;
  settings.disabled = run !== 'none';
  ui.corpusForm.querySelector('fieldset')!.disabled = run !== 'none';
}

function status(element: HTMLElement, text: string, kind: 'info' | 'error' = 'info'): void {
  element.textContent = text;
  element.classList.toggle('error', kind === 'error');
}

async function loadCorpus(get: () => Promise<CorpusBytes>): Promise<void> {
  state.corpusReady = false;
  refresh();
  status(ui.corpusStatus, 'loading…');
  try {
    const { bytes, source } = await get();
    send({ type: 'corpus', bytes, source }, [bytes]);
  } catch (e) {
    status(ui.corpusStatus, (e as Error).message, 'error');
  }
}

ui.corpusForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void loadCorpus(() => fetchCorpus(ui.corpusUrl.value));
});
ui.corpusFile.addEventListener('change', () => {
  const file = ui.corpusFile.files?.[0];
  if (file) void loadCorpus(() => readCorpusFile(file));
});
ui.start.addEventListener('click', () => {
  if (state.run === 'none') {
    chart.reset();
    status(ui.runStatus, 'starting…');
  }
  state.beforeStart = state.run === 'paused' ? 'paused' : 'none';
  state.run = 'starting';
  refresh();
  send({ type: 'start', config: settings.config(), backend: settings.backendName });
});
ui.pause.addEventListener('click', () => send({ type: 'pause' }));
ui.continue.addEventListener('click', () => {
  state.beforeStart = 'done';
  state.run = 'starting';
  refresh();
  send({ type: 'continue', steps: Number(ui.moreSteps.value) });
});
ui.download.addEventListener('click', () => send({ type: 'download' }));
ui.openFile.addEventListener('change', async () => {
  const file = ui.openFile.files?.[0];
  if (!file) return;
  ui.openFile.value = ''; // the same file again is a new choice
  status(ui.fileStatus, `opening ${file.name}…`);
  const bytes = await file.arrayBuffer();
  send({ type: 'open', bytes, name: file.name, config: settings.config(), backend: settings.backendName }, [bytes]);
});
ui.restore.addEventListener('click', () => {
  status(ui.fileStatus, 'restoring the last run…');
  send({ type: 'restore' });
});
// The label follows the slider as it moves; the sample is drawn again once it is let go: a GPT's
// sample costs a forward pass per character, and one per slider position would queue seconds of them.
ui.temperature.addEventListener('input', () => (ui.temperatureValue.textContent = Number(ui.temperature.value).toFixed(1)));
ui.temperature.addEventListener('change', () => send({ type: 'temperature', value: Number(ui.temperature.value) }));
ui.reset.addEventListener('click', () => send({ type: 'reset' }));
ui.bench.addEventListener('click', () => {
  state.benchmarking = true;
  state.benchStart = performance.now();
  refresh();
  ui.benchTable.textContent = '';
  status(ui.benchStatus, 'benchmarking (training pauses)…');
  send({ type: 'bench' });
});

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'corpus':
      state.corpusReady = true;
      status(ui.corpusStatus, `${m.source}: ${m.characters.toLocaleString('en-US')} characters, ${m.distinct} distinct`);
      break;
    case 'started':
    case 'loaded':
      state.run = m.type === 'started' ? 'running' : 'paused';
      state.init = m.init;
      state.continueBlocked = null;
      ui.total.textContent = m.steps.toLocaleString('en-US');
      ui.step.textContent = m.step.toLocaleString('en-US');
      ui.loss.textContent = m.history.at(-1)?.loss.toFixed(4) ?? '—';
      ui.backend.textContent = m.threads > 1 ? `${m.backend} × ${m.threads} threads` : m.backend;
      ui.moreSteps.value = String(Math.ceil(m.steps / 2));
      chart.reset(m.history);
      renderStats(ui.stats, m.init, m.init);
      if (m.type === 'started') status(ui.runStatus, 'training');
      else status(ui.fileStatus, `opened ${m.source}: step ${m.step.toLocaleString('en-US')} of ${m.steps.toLocaleString('en-US')}`);
      break;
    case 'progress':
      state.run = 'running';
      chart.append(m.step - m.losses.length, m.losses);
      ui.step.textContent = m.step.toLocaleString('en-US');
      ui.total.textContent = m.until.toLocaleString('en-US');
      ui.loss.textContent = m.losses[m.losses.length - 1].toFixed(4);
      ui.rate.textContent = m.stepsPerSecond.toFixed(0);
      status(ui.runStatus, 'training');
      break;
    case 'evaluation':
      chart.addEvaluation(m.step, m.val);
      break;
    case 'snapshot':
      renderStats(ui.stats, state.init, m.stats);
      ui.sample.textContent = m.sample;
      break;
    case 'stopped': {
      state.run = m.reason === 'paused' ? 'paused' : 'done';
      state.continueBlocked = m.reason === 'diverged' ? 'the loss is no longer finite' : m.continueBlocked;
      ui.step.textContent = m.step.toLocaleString('en-US');
      const lr = m.lr.toPrecision(3);
      if (m.reason === 'diverged') status(ui.runStatus, `the loss became NaN or infinite at step ${m.step}: training diverged. Fix: reset, lower the learning rate and start again.`, 'error');
      else status(ui.runStatus, m.reason === 'done' ? `done at step ${m.step.toLocaleString('en-US')} (the learning rate is now ${lr})` : `paused at step ${m.step.toLocaleString('en-US')}`);
      ui.continueNote.textContent = m.reason !== 'done' ? '' : state.continueBlocked ?? `more steps train at the schedule's last learning rate, ${lr}`;
      break;
    }
    case 'reset':
      state.run = 'none';
      state.init = null;
      state.stored = false;
      chart.reset();
      for (const el of [ui.step, ui.loss, ui.rate, ui.total, ui.backend]) el.textContent = '—';
      ui.sample.textContent = '';
      ui.continueNote.textContent = '';
      renderStats(ui.stats, null, null);
      status(ui.runStatus, '');
      status(ui.fileStatus, '');
      break;
    case 'checkpoint': {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([m.bytes], { type: 'application/octet-stream' }));
      link.download = m.name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      status(ui.fileStatus, `saved ${m.name}: open it here, or sample it with npm run sample -- --from ${m.name}`);
      break;
    }
    case 'stored':
      state.stored = true;
      ui.restore.textContent = `Restore last run (step ${m.step.toLocaleString('en-US')} on ${m.source}, ${new Date(m.savedAt).toLocaleString()})`;
      break;
    case 'bench-progress':
      status(ui.benchStatus, `benchmarking… ${m.line}`);
      break;
    case 'bench-done':
      state.benchmarking = false;
      status(ui.benchStatus, `done in ${((performance.now() - state.benchStart) / 1000).toFixed(0)} s`);
      ui.benchTable.textContent = m.table;
      break;
    case 'notice':
      status(ui.runStatus, m.message);
      break;
    case 'error':
      if (m.context === 'corpus') status(ui.corpusStatus, m.message, 'error');
      if (m.context === 'bench') {
        state.benchmarking = false;
        status(ui.benchStatus, m.message, 'error');
      }
      if (m.context === 'run') {
        if (state.run === 'starting') state.run = state.beforeStart;
        status(ui.runStatus, m.message, 'error');
      }
      if (m.context === 'file') status(ui.fileStatus, m.message, 'error');
      break;
  }
  refresh();
};

// Not a WasmgradError the worker could report: a bug, shown rather than lost in the console.
worker.onerror = (event) => {
  state.run = state.run === 'none' || state.run === 'starting' ? 'none' : 'paused';
  status(ui.runStatus, `the worker failed: ${event.message}`, 'error');
  refresh();
};

renderStats(ui.stats, null, null);
refresh();
void loadCorpus(() => fetchCorpus(ui.corpusUrl.value));
