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
const chart = new LossChart($('chart'));
const worker = new Worker('worker.js', { type: 'module' });
const send = (message: ToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);

const state = {
  corpusReady: false,
  run: 'none' as 'none' | 'starting' | 'running' | 'paused' | 'done',
  benchmarking: false,
  benchStart: 0,
  init: null as ActivationStats | null,
};

function refresh(): void {
  const { run } = state;
  ui.start.disabled = !state.corpusReady || state.benchmarking || !(run === 'none' || run === 'paused');
  ui.start.textContent = run === 'paused' ? 'Resume' : 'Start';
  ui.pause.disabled = run !== 'running';
  ui.reset.disabled = run === 'none' || run === 'starting';
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
    chart.clear();
    status(ui.runStatus, 'starting…');
  }
  state.run = 'starting';
  refresh();
  send({ type: 'start', config: settings.config(), backend: settings.backendName });
});
ui.pause.addEventListener('click', () => send({ type: 'pause' }));
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
      state.run = 'running';
      state.init = m.init;
      ui.total.textContent = m.steps.toLocaleString('en-US');
      ui.backend.textContent = m.threads > 1 ? `${m.backend} × ${m.threads} threads` : m.backend;
      status(ui.runStatus, 'training');
      renderStats(ui.stats, m.init, m.init);
      break;
    case 'progress':
      state.run = 'running';
      chart.append(m.step - m.losses.length + 1, m.losses);
      ui.step.textContent = m.step.toLocaleString('en-US');
      ui.loss.textContent = m.losses[m.losses.length - 1].toFixed(4);
      ui.rate.textContent = m.stepsPerSecond.toFixed(0);
      status(ui.runStatus, 'training');
      break;
    case 'snapshot':
      renderStats(ui.stats, state.init, m.stats);
      ui.sample.textContent = m.sample;
      break;
    case 'stopped':
      state.run = m.reason;
      status(ui.runStatus, m.reason === 'done' ? 'done' : 'paused');
      break;
    case 'reset':
      state.run = 'none';
      state.init = null;
      chart.clear();
      for (const el of [ui.step, ui.loss, ui.rate, ui.total, ui.backend]) el.textContent = '—';
      ui.sample.textContent = '';
      renderStats(ui.stats, null, null);
      status(ui.runStatus, '');
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
        if (state.run === 'starting') state.run = 'none';
        status(ui.runStatus, m.message, 'error');
      }
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
