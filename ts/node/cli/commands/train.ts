// npm run train -- [options], npx wasmgrad train [options]: trains a model on a text, prints a summary, writes a run directory.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WasmgradError } from '../../../backend/errors.js';
import { BACKEND_NAMES, type BackendName } from '../../../backend/types.js';
import { describeValue, parseFieldText, renameConfigFields, validateFields, type Field } from '../../../config/fields.js';
import { evaluationWindowCount, trainPart, validationPart, wholeText, windowCount } from '../../../data/batches.js';
import { conditionalEntropy, pairCounts } from '../../../data/pairs.js';
import { makeDataset } from '../../../data/dataset.js';
import { Vocabulary } from '../../../data/vocab.js';
import { describeModel, MODEL_KINDS, modelDefinition, type ModelConfig } from '../../../nn/registry.js';
import { allFields, MODEL_KIND_FIELD, TRAIN_FIELDS, validateConfig, type TrainConfig } from '../../../train/config.js';
import { lossCurveSvg, type LossPoint } from '../../../train/loss-svg.js';
import { PRESET_NAMES, PRESETS } from '../../../train/presets.js';
import type { RunResult } from '../../../train/run.js';
import { Trainer, type ActivationStats } from '../../../train/trainer.js';
import { Rng } from '../../../util/rng.js';
import { writeFileAtomic } from '../../atomic.js';
import { loadBackend, nodeWasmSources } from '../../backends.js';
import { defaultThreads } from '../../../backend/index.js';
import { readModelFile } from '../../model-file.js';
import { DEFAULT_DATA, loadText } from '../../load-text.js';
import { FILES, loadRun, metricsJsonl, RUNS_DIR, saveRun, type RunInfo, type RunMeta } from '../../run-dir.js';
import { choiceFlag, numberFlag, parseFlags, usage, type FlagSpec } from '../args.js';
import { Progress, formatSeconds } from '../progress.js';
import { CliExit, type Command } from '../run-cli.js';

/**
 * A run without --save-every checkpoints every tenth of its steps, but no more often than this:
 * each save fsyncs three files (about 20 ms), which would be a tenth of a two-second run.
 */
const DEFAULT_SAVE_SECONDS = 5;
/** Threads by default: every core, at most 8 (the results are the same on any number). */
const DEFAULT_THREADS = defaultThreads('wasm-simd', nodeWasmSources);
/** Every config field, as a flag: the training fields, --model, and each model kind's own fields. */
const CONFIG_FIELDS = allFields();
const fieldFlag = (f: Field): FlagSpec => ({
  type: 'string',
  value: f.value.type === 'choice' ? f.value.choices.join('|') : f.value.type === 'boolean' ? 'true|false' : 'N',
  help: `${f.help}${f.path.startsWith('config.model.') && f.key !== 'kind' ? ` (${modelsWith(f).join(', ')})` : ''}: ${describeValue(f.value)}`,
});
const modelsWith = (f: Field) => MODEL_KINDS.filter((k) => modelDefinition(k).fields.some((g) => g.path === f.path));
const FLAGS: Record<string, FlagSpec> = {
  preset: { type: 'string', value: 'P', help: `start from a preset: ${PRESET_NAMES.join(', ')} (default: default)` },
  ...Object.fromEntries(CONFIG_FIELDS.map((f) => [f.flag, fieldFlag(f)])),
  backend: { type: 'string', value: 'B', help: `${BACKEND_NAMES.join(' | ')} (default: wasm-simd)` },
  threads: { type: 'string', value: 'N', help: `threads wasm-simd's kernels run on, 1 to 64: the same results on any number (default: every core, at most 8: ${DEFAULT_THREADS} here)` },
  data: { type: 'string', value: 'FILE', help: `UTF-8 text to train on (default: ${DEFAULT_DATA}, downloaded if missing)` },
  out: { type: 'string', value: 'DIR', help: 'run directory (default: runs/<preset>-<time>/, or the resumed one)' },
  resume: { type: 'string', value: 'DIR', help: 'continue the run saved in DIR, bit-identically' },
  'init-from': { type: 'string', value: 'FILE', help: "start a new run from a model file's parameters: a run's model.safetensors, or a nanoGPT checkpoint converted by scripts/pytorch/from_nanogpt.py (the model and vocabulary are the file's)" },
  'save-every': { type: 'string', value: 'N', help: `write a checkpoint every N steps (default: every tenth of the run, at most once per ${DEFAULT_SAVE_SECONDS} s)` },
  'sample-length': { type: 'string', value: 'N', help: 'characters to sample at the end (default 300)' },
  json: { type: 'boolean', help: 'print the summary as JSON on stdout' },
  help: { type: 'boolean', help: 'show this help' },
};

/** Flags that define the model and its training: fixed once a run has started (all but --steps). */
const RUN_DEFINING = ['preset', ...CONFIG_FIELDS.filter((f) => f.key !== 'steps').map((f) => f.flag)];

/** The library names config fields `config.lr`; the CLI says `--lr`. */
const inFlagWords = (message: string) => renameConfigFields(message, CONFIG_FIELDS, (f) => `--${f.flag}`);

interface Summary {
  preset: string;
  model: ModelConfig;
  backend: BackendName;
  /** Threads the kernels ran on (the results are the same on any number). */
  threads: number;
  seed: number;
  steps: number;
  batch: number | 'full';
  lr: number;
  optimizer: string;
  init: string;
  initLoss: number | null;
  finalBatchLoss: number | null;
  /** How the losses below were measured: over every window, or nanoGPT's estimate on random batches. */
  evaluation: 'exact' | { batches: number; windows: number };
  /** Exact evaluation: the mean over every window of the whole text (the notebook's loss). */
  fullDataLoss: number | null;
  /** Estimated evaluation: the training part's loss. */
  trainLoss: number | null;
  valLoss: number | null;
  /**
   * The lowest mean loss a model that sees one character can reach: H(next | current) over the
   * whole text's pairs (what the full-data loss averages) and over the training part's.
   */
  oneCharacterFloor: { wholeText: number; trainPart: number };
  msPerStep: number | null;
  wallSeconds: number;
  activationStats: { init: ActivationStats | null; final: ActivationStats };
}

async function main(argv: string[], invokedAs: string): Promise<void> {
  const wallStart = performance.now();
  const flags = parseFlags(argv, FLAGS, invokedAs);
  if (flags.help) {
    process.stdout.write(usage(invokedAs, 'Trains a next-character model and writes a run directory.', FLAGS));
    process.stdout.write(`\nmodels:\n${MODEL_KINDS.map((k) => `  ${k.padEnd(16)} ${modelDefinition(k).description}`).join('\n')}\n`);
    process.stdout.write(`\npresets:\n${PRESET_NAMES.map((p) => `  ${p.padEnd(16)} ${PRESETS[p].description}`).join('\n')}\n`);
    return;
  }
  const log = (line: string) => process.stderr.write(line + '\n');
  const resumeDir = flags.resume as string | undefined;
  const initFrom = flags['init-from'] as string | undefined;
  if (resumeDir && initFrom) throw new CliExit(2, `error: --resume and --init-from cannot go together: a resumed run continues from its own checkpoint. Fix: drop one of them.`);
  const resumed = resumeDir ? await loadRun(resumeDir, { recover: true }) : null;
  const initial = initFrom ? await readModelFile(initFrom) : null;
  const { preset, config } = resumed ? resumedConfig(flags, resumed.meta, resumeDir!, existsSync(join(resumeDir!, FILES.summary))) : newConfig(flags, initial?.config);
  const backendName = choiceFlag('backend', flags.backend, BACKEND_NAMES) ?? resumed?.meta.backend ?? 'wasm-simd';
  const saveEveryFlag = numberFlag('save-every', flags['save-every'], 'positive-int');
  const saves: SaveCadence = saveEveryFlag ? { every: saveEveryFlag, minSeconds: 0 } : { every: Math.max(1, Math.ceil(config.steps / 10)), minSeconds: DEFAULT_SAVE_SECONDS };
  const sampleLength = numberFlag('sample-length', flags['sample-length'], 'positive-int') ?? 300;
  const dataPath = (flags.data as string | undefined) ?? resumed?.meta.data.path ?? DEFAULT_DATA;
  const outDir = (flags.out as string | undefined) ?? resumeDir ?? join(RUNS_DIR, `${preset}-${timestamp()}`);

  const text = await loadText(dataPath, log);
  const data = makeDataset(text, { valFraction: config.valFraction, vocab: resumed ? new Vocabulary(resumed.meta.vocab) : initial?.vocab });
  const backend = await loadBackend(backendName, { threads: threadsFlag(flags.threads), onFallback: log });
  const trainer = new Trainer(backend, data, config, resumed?.state ?? (initial ? { params: initial.values } : undefined));
  if (initial) log(`starting from the parameters in ${initFrom}${initial.notes.length > 0 ? ` (${initial.notes.join('; ')})` : ''}`);
  const meta: RunInfo = {
    preset, config, backend: backend.name, vocab: data.vocab.toJSON(), data: { path: dataPath, characters: data.tokens.length },
    initLoss: resumed?.meta.initLoss ?? null,
    initStats: resumed?.meta.initStats ?? null,
  };
  const count = (n: number) => n.toLocaleString('en-US');
  const trainWindows = windowCount(trainPart(data), trainer.model.window);
  const valWindows = windowCount(validationPart(data), trainer.model.window);
  const split = valWindows > 0 ? `${count(trainWindows)} train + ${count(valWindows)} validation windows` : `${count(trainWindows)} windows`;
  log(`${resumed ? `resuming ${resumeDir} at step ${trainer.step}` : `training ${preset}`}: ${describeModel(config.model)}, ${config.init} init, ${config.optimizer} lr ${config.lr}${config.schedule === 'cosine' ? ' cosine' : ''}, batch ${config.batch}, ${config.steps} steps on ${backend.name}${backend.threadCount > 1 ? ` (${backend.threadCount} threads)` : ''}; ${data.vocab.size} characters, ${split}`);
  log(`run directory: ${outDir}`);
  if (resumed) {
    // One line: where the run continues from, and what recovering it took.
    const how = resumed.notes.length > 0 ? `; ${resumed.notes.join('; ')}` : '';
    log(`resuming from step ${resumed.state.step}, the newest complete checkpoint in ${resumeDir}${how}`);
  }

  await mkdir(outDir, { recursive: true });
  const metrics: LossPoint[] = resumed ? [...resumed.metrics] : [];
  if (!resumed) {
    meta.initStats = trainer.activationStats();
    await saveRun(outDir, trainer, { run: meta, metrics }); // a good checkpoint exists before step 1
  }
  const loop = await trainLoop(trainer, outDir, meta, metrics, saves);
  if (loop.interrupted) {
    throw new CliExit(130, `interrupted at step ${trainer.step}: checkpoint saved. Continue with: ${invokedAs} --resume ${outDir}`);
  }

  const final = evaluate(trainer);
  const summary: Summary = {
    preset,
    model: config.model,
    backend: backend.name,
    threads: backend.threadCount,
    seed: config.seed,
    steps: trainer.step,
    batch: config.batch,
    lr: config.lr,
    optimizer: config.optimizer,
    init: config.init,
    initLoss: meta.initLoss,
    finalBatchLoss: loop.finalBatchLoss,
    ...final,
    oneCharacterFloor: {
      wholeText: conditionalEntropy(pairCounts(data.tokens, wholeText(data), data.vocab.size), data.vocab.size),
      trainPart: conditionalEntropy(pairCounts(data.tokens, trainPart(data), data.vocab.size), data.vocab.size),
    },
    msPerStep: loop.msPerStep,
    wallSeconds: (performance.now() - wallStart) / 1000,
    activationStats: { init: meta.initStats, final: trainer.activationStats() },
  };
  const sample = trainer.generate(sampleLength, new Rng(config.seed + 1));
  await writeFileAtomic(join(outDir, FILES.lossCurve), lossCurveSvg(metrics, { title: `${preset}: ${describeModel(config.model)}, ${config.optimizer} lr ${config.lr}, batch ${config.batch}`, reference: { value: summary.oneCharacterFloor.trainPart, label: `one-character floor of the training text (${summary.oneCharacterFloor.trainPart.toFixed(4)})` } }));
  // The summary last: its presence says the run finished (a run killed before it resumes to write it).
  await writeFileAtomic(join(outDir, FILES.summary), JSON.stringify({ ...summary, sample }, null, 2) + '\n');
  if (flags.json) process.stdout.write(JSON.stringify({ ...summary, sample, runDir: outDir }, null, 2) + '\n');
  else process.stdout.write(formatSummary(summary, sample, outDir, evaluationWindowCount(wholeText(data), trainer.model.windowShape)));
}

type Flags = Record<string, string | boolean | undefined>;

/** When the loop checkpoints: at steps `every` divides, once `minSeconds` have passed since the last save. */
interface SaveCadence {
  every: number;
  minSeconds: number;
}

/** --threads: an integer from 1 to 64. */
function threadsFlag(raw: string | boolean | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < 1 || value > 64) {
    throw new CliExit(2, `error: --threads ${raw} is not an integer from 1 to 64. Fix: pass e.g. --threads 2, or --threads 1 for one thread.`);
  }
  return value;
}

/**
 * A new run: the preset's config with the flags on top; the library checks every field. With a
 * model file (`fromFile`), the model is the file's and flags may set only the training.
 */
function newConfig(flags: Flags, fromFile?: ModelConfig): { preset: string; config: TrainConfig } {
  const preset = choiceFlag('preset', flags.preset, PRESET_NAMES) ?? 'default';
  const base: TrainConfig = fromFile ? { ...PRESETS[preset].config, model: fromFile } : PRESETS[preset].config;
  const modelFlag = fromFile && CONFIG_FIELDS.find((f) => f.path.startsWith('config.model.') && flags[f.flag] !== undefined);
  if (modelFlag) throw new CliExit(2, `error: --${modelFlag.flag} cannot be set with --init-from: the model is the one in the file (${describeModel(fromFile)}). Fix: drop --${modelFlag.flag}.`);
  const kind = (flags[MODEL_KIND_FIELD.flag] as string | undefined) ?? base.model.kind;
  try {
    validateFields([MODEL_KIND_FIELD], { kind });
  } catch (e) {
    throw new CliExit(2, `error: ${inFlagWords((e as Error).message)}`);
  }
  const definition = modelDefinition(kind);
  // Another kind than the preset's starts from that kind's defaults.
  const model: Record<string, unknown> = kind === base.model.kind ? { ...base.model } : { kind, ...definition.defaults };
  for (const flagField of CONFIG_FIELDS.filter((g) => g.path.startsWith('config.model.') && g !== MODEL_KIND_FIELD)) {
    const raw = flags[flagField.flag] as string | undefined;
    if (raw === undefined) continue;
    // Kinds may share a field (hidden): the kind's own declaration of it decides.
    const f = definition.fields.find((g) => g.path === flagField.path);
    if (!f) {
      const own = definition.fields.map((g) => `--${g.flag}`).join(', ') || 'none';
      throw new CliExit(2, `error: --${flagField.flag} is not a setting of the ${kind} model (its settings: ${own}). Fix: drop --${flagField.flag}, or choose --model ${modelsWith(flagField)[0]}.`);
    }
    model[f.key] = parseFieldText(f, raw);
  }
  const config: Record<string, unknown> = { ...base, model };
  for (const f of TRAIN_FIELDS) {
    const raw = flags[f.flag] as string | undefined;
    if (raw !== undefined) config[f.key] = parseFieldText(f, raw);
  }
  return { preset, config: checkedConfig(config as unknown as TrainConfig) };
}

/** The library's check of a config from flags: a bad value is a bad command line (exit 2), named by its flag. */
function checkedConfig(config: TrainConfig): TrainConfig {
  try {
    return validateConfig(config);
  } catch (e) {
    if (e instanceof WasmgradError) throw new CliExit(2, `error: ${inFlagWords(e.message)}`);
    throw e;
  }
}

/**
 * A resumed run: its own config; only the number of steps may grow. A run that trained all its steps
 * but has no summary (it was killed after its last checkpoint) resumes to write its summary.
 */
function resumedConfig(flags: Flags, meta: RunMeta, dir: string, summarized: boolean): { preset: string; config: TrainConfig } {
  const fixed = RUN_DEFINING.filter((f) => flags[f] !== undefined);
  if (fixed.length > 0) {
    throw new CliExit(2, `error: --${fixed[0]} cannot change when resuming: the run in ${dir} was defined by its own settings. Fix: drop --${fixed[0]}, or start a new run without --resume.`);
  }
  const stepsField = TRAIN_FIELDS.find((f) => f.key === 'steps')!;
  const config = checkedConfig({ ...meta.config, steps: flags.steps === undefined ? meta.config.steps : (parseFieldText(stepsField, flags.steps as string) as number) });
  if (config.steps < meta.step || (config.steps === meta.step && summarized)) {
    throw new CliExit(1, `error: the run in ${dir} has already done ${meta.step} of its ${config.steps} steps. Fix: pass --steps with a larger total to train further.`);
  }
  return { preset: meta.preset, config };
}

/**
 * Steps until the configured total or a Ctrl-C (trainer.run, stopped by an AbortSignal), logging,
 * printing and checkpointing on the way. A non-finite loss stops the run (exit 3) with the last
 * good checkpoint left in place.
 */
async function trainLoop(trainer: Trainer, outDir: string, meta: RunInfo, metrics: LossPoint[], saves: SaveCadence) {
  const { config } = trainer;
  // The notebook prints the loss ten times a run (`epoch % (epochs // 10) == 0`).
  const printEvery = Math.max(1, Math.floor(config.steps / 10));
  const width = String(config.steps).length;
  const progress = new Progress(trainer.step, config.steps);
  const diverged = (what: string, lastSaved: number) =>
    new CliExit(3, `error: ${what}: training diverged. Fix: lower the learning rate, e.g. --lr ${(config.lr / 10).toPrecision(2)}. The last good checkpoint (step ${lastSaved}) is in ${outDir}.`);
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.on('SIGINT', onSigint);
  let lastSaved = trainer.step;
  let lastSaveTime = performance.now();
  const saveDue = (done: number) => done % saves.every === 0 && done < config.steps && performance.now() - lastSaveTime >= saves.minSeconds * 1000;
  /** The evaluation before the step about to run: its record carries both. */
  let evaluated: { train: number; val: number | null } | undefined;
  let result: RunResult;
  try {
    result = await trainer.run({
      signal: interrupt.signal,
      onEval({ step, train, val }) {
        evaluated = { train, val };
        progress.line(`step ${String(step).padStart(width)}  train loss ${train.toFixed(4)}, val loss ${val?.toFixed(4) ?? '—'}`);
      },
      async onStep({ step: done, loss, lr }) {
        const step = done - 1;
        if (!Number.isFinite(loss)) {
          progress.done();
          await writeFileAtomic(join(outDir, FILES.metrics), metricsJsonl(metrics));
          throw diverged(`the loss became ${loss} at step ${step} (lr ${lr.toPrecision(3)})`, lastSaved);
        }
        if (step === 0) meta.initLoss = loss;
        if (evaluated || step % config.logEvery === 0 || step === config.steps - 1) metrics.push({ step, loss, ...evaluated });
        evaluated = undefined;
        if (step % printEvery === 0) progress.line(`step ${String(step).padStart(width)}  loss ${loss.toFixed(4)}`);
        progress.update(done, loss);
        if (saveDue(done)) {
          if (await saveIfFinite(trainer, outDir, meta, metrics)) lastSaved = done;
          lastSaveTime = performance.now();
        }
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
    progress.done();
  }
  if (!(await saveIfFinite(trainer, outDir, meta, metrics))) throw diverged('the parameters became NaN or infinite in the last step', lastSaved);
  return { interrupted: result.reason === 'aborted', finalBatchLoss: result.lastLoss, msPerStep: result.msPerStep };
}

/** The losses at the end of a run, as the config asks: exact over every window, or estimated (nanoGPT's way). */
function evaluate(trainer: Trainer): Pick<Summary, 'evaluation' | 'fullDataLoss' | 'trainLoss' | 'valLoss'> {
  const { evalBatches = 0, batch } = trainer.config;
  if (evalBatches === 0) return { evaluation: 'exact', fullDataLoss: trainer.fullDataLoss(), trainLoss: null, valLoss: trainer.valLoss() };
  const { train, val } = trainer.evaluate();
  return { evaluation: { batches: evalBatches, windows: batch as number }, fullDataLoss: null, trainLoss: train, valLoss: val };
}

/** Writes a checkpoint unless a parameter is NaN/Inf (a diverged update): the last good one stays. */
async function saveIfFinite(trainer: Trainer, dir: string, meta: RunInfo, metrics: LossPoint[]): Promise<boolean> {
  if (!trainer.model.params.every((p) => Number.isFinite(trainer.backend.meanAbs(p.value)))) return false;
  await saveRun(dir, trainer, { run: meta, metrics });
  return true;
}

/** `windows`: how many windows the exact full-data loss averaged over. */
function formatSummary(s: Summary, sample: string, dir: string, windows: number): string {
  const fmt = (x: number | null, digits = 4) => (x === null ? '—' : x.toFixed(digits));
  const stats = (a: ActivationStats | null) =>
    a === null ? '—' : `input ${a.input.toFixed(4)}  hidden ${a.hidden === null ? '—' : a.hidden.toFixed(4)}  output ${a.output.toFixed(4)}  softmax ${a.softmax.toFixed(4)} (mean max p ${a.softmaxMax.toFixed(3)})`;
  const rows: [string, string][] = [
    ['preset', `${s.preset}: ${describeModel(s.model)}, ${s.init} init, ${s.optimizer} lr ${s.lr}, batch ${s.batch}, seed ${s.seed}`],
    ['backend', `${s.backend}, ${s.threads} thread${s.threads === 1 ? '' : 's'}`],
    ['steps', String(s.steps)],
    ['initial loss', fmt(s.initLoss)],
    ['final batch loss', fmt(s.finalBatchLoss)],
    ...(s.evaluation === 'exact'
      ? ([
          ['full-data loss', `${fmt(s.fullDataLoss)} (all ${windows.toLocaleString('en-US')} windows; one-character floor ${fmt(s.oneCharacterFloor.wholeText)})`],
          ['validation loss', fmt(s.valLoss)],
        ] as [string, string][])
      : ([
          ['train loss', `${fmt(s.trainLoss)} (estimated on ${s.evaluation.batches} random batches of ${s.evaluation.windows} windows)`],
          ['validation loss', `${fmt(s.valLoss)} (estimated the same way)`],
        ] as [string, string][])),
    ['ms/step', s.msPerStep === null ? '—' : s.msPerStep.toFixed(3)],
    ['wall time', formatSeconds(s.wallSeconds)],
    ['mean |x| at init', stats(s.activationStats.init)],
    ['mean |x| at end', stats(s.activationStats.final)],
    ['run directory', dir],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n\nsample:\n${sample}\n`;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

export const train: Command = { summary: 'train a next-character model and write a run directory', run: main, rename: inFlagWords };
