import type { Backend } from '../backend/backend.js';
import { WasmgradError } from '../backend/errors.js';
import type { Tensor } from '../backend/tensor.js';
import { Tape } from '../autograd/tape.js';
import { evaluationWindowCount, fillWindows, sampleWindows, targetsPerWindow, trainPart, validationPart, wholeText, windowCount, type Part } from '../data/batches.js';
import { validationLength, type CharDataset } from '../data/dataset.js';
import { pairCounts } from '../data/pairs.js';
import { createModel, type Model, type NamedValues, type PassContext } from '../nn/registry.js';
import { createOptimizer, type Optimizer } from '../optim/optimizer.js';
import { mixSeed, Rng } from '../util/rng.js';
import { validateConfig, type TrainConfig } from './config.js';
import { generate, generateStream, type GenerateOptions, type StreamOptions } from './generate.js';
import { runTraining, type RunOptions, type RunResult } from './run.js';

/** Targets per forward pass when a pass covers many windows (full-batch steps, evaluation): bounds its memory. */
const CHUNK_TARGETS = 16384;
/** Targets in the fixed batch on which activation statistics are measured (1024 windows of one target, 16 of a GPT's 64). */
const PROBE_TARGETS = 1024;

/** The notebook's cell D: mean |x| of each layer's values on a fixed batch. */
export interface ActivationStats {
  /**
   * What the first dense layer reads: the one-hot rows (1/V: one 1 among V entries), or, for a model
   * that embeds its tokens first (context-mlp, gpt), the embedded vectors.
   */
  input: number;
  hidden: number | null;
  output: number;
  softmax: number;
  /** Mean over rows of the largest probability: how confident (or saturated) the softmax is. */
  softmaxMax: number;
}

/** What a checkpoint holds beyond the config and vocabulary: enough to continue bit-identically. */
export interface TrainerState {
  step: number;
  rngState: number[];
  /** Parameters by name, with their shapes. */
  params: NamedValues;
  optimizer: { tensors: NamedValues; steps: number };
}

/** Where a trainer starts: a checkpoint's state (continuing a run), or parameters alone (a model file: a new run from them). */
export type TrainerStart = TrainerState | { params: NamedValues };

/** A pass over many windows, in chunks: input and target tensors per chunk size, and a tape. */
interface ChunkPass {
  tape: Tape;
  inputs: Tensor;
  targets: Tensor;
}

/**
 * Trains a model of any registered kind on a CharDataset with one backend. Browser-safe: no files,
 * no clocks; the caller (CLI, web worker) decides when to log, checkpoint and stop. One seeded Rng
 * initialises the parameters and then draws every batch, so a run is a pure function of config and data.
 * A batch is B windows of the model's T tokens, each with the token after it as its target, or,
 * for a model that predicts every position (a GPT), the token after each of its positions.
 */
export class Trainer {
  readonly model: Model;
  readonly optimizer: Optimizer;
  /** Steps completed. */
  step = 0;
  private rng: Rng;
  private readonly tape: Tape;
  private readonly batchInputs: Tensor | null;
  private readonly batchTargets: Tensor | null;
  private readonly passes = new Map<string, ChunkPass>();
  /** The windows statistics look at: always the same ones, drawn from their own stream. */
  private readonly probe: Int32Array;

  constructor(
    readonly backend: Backend,
    readonly data: CharDataset,
    readonly config: TrainConfig,
    start?: TrainerStart,
  ) {
    validateConfig(config);
    const held = data.tokens.length - data.trainEnd;
    if (held !== validationLength(data.tokens.length, config.valFraction)) {
      throw new WasmgradError(
        `config.valFraction is ${config.valFraction}, but the dataset holds out ${held} of its ${data.tokens.length} characters for validation. ` +
          'Fix: make the dataset with makeDataset(text, { valFraction: config.valFraction }).',
      );
    }
    const resume = start && 'step' in start ? start : null;
    this.rng = new Rng(config.seed);
    this.model = createModel(backend, config.model, data.vocab.size, start ? { values: start.params } : { init: config.init, rng: this.rng });
    const window = this.model.window;
    const windows = windowCount(trainPart(data), window);
    const fail = (message: string): never => {
      this.model.params.forEach((p) => p.dispose());
      throw new WasmgradError(message);
    };
    if (windows < 1) {
      fail(`the training part of the text (${data.trainEnd} characters) has no window of ${window} characters and a next one. Fix: use a longer text, a smaller validation fraction or a shorter window.`);
    }
    if (config.batch !== 'full' && config.batch > windows) {
      fail(`config.batch ${config.batch} is larger than the ${windows} training windows. Fix: use a batch of ${Math.min(1024, windows)} or less, or 'full'.`);
    }
    // AdamW decays what nanoGPT decays: matrices (weights, embeddings), not biases or gains.
    const decayed = (p: { name: string }) => ['weight', 'embedding'].includes(this.model.roles.get(p.name)!);
    this.optimizer = createOptimizer(config.optimizer, backend, this.model.params, config.lr, { beta2: config.beta2, weightDecay: config.weightDecay, decayed });
    if (resume) {
      this.optimizer.loadState(resume.optimizer.tensors, resume.optimizer.steps);
      this.rng = Rng.fromState(resume.rngState);
      this.step = resume.step;
    }
    this.tape = new Tape(backend);
    const b = config.batch === 'full' ? null : config.batch;
    this.batchInputs = b ? backend.tensor([b, window], 'i32') : null;
    this.batchTargets = b ? backend.tensor([b * targetsPerWindow(this.model.windowShape)], 'i32') : null;
    const probeRng = new Rng(config.seed ^ 0x5eed);
    const probeWindows = Math.max(1, Math.floor(PROBE_TARGETS / targetsPerWindow(this.model.windowShape)));
    this.probe = Int32Array.from({ length: Math.min(probeWindows, windows) }, () => probeRng.int(windows));
  }

  /**
   * Trains to `options.until` (default config.steps) as a Promise, with progress callbacks, an
   * AbortSignal and turns for the event loop: the same bits as calling trainStep() in a loop.
   */
  run(options?: RunOptions): Promise<RunResult> {
    return runTraining(this, options);
  }

  /**
   * The learning rate of the next step under the schedule: constant, or nanoGPT's get_lr: `warmup`
   * steps of linear warm-up, then cosine decay from lr to minLr at the last step.
   */
  get currentLr(): number {
    const { lr, schedule, steps, warmup = 0, minLr = 0 } = this.config;
    if (schedule === 'constant') return lr;
    if (this.step < warmup) return (lr * (this.step + 1)) / (warmup + 1);
    // Written so that warmup = minLr = 0 is the plain cosine to 0 to the bit.
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos((Math.PI * (Math.min(this.step, steps) - warmup)) / (steps - warmup)));
  }

  /**
   * Characters a step predicts: B·T for a GPT (nanoGPT's tokens per iteration), B for a model with
   * one target per window, every training target for a full batch.
   */
  get targetsPerStep(): number {
    const shape = this.model.windowShape;
    const windows = this.config.batch === 'full' ? evaluationWindowCount(trainPart(this.data), shape) : this.config.batch;
    return windows * targetsPerWindow(shape);
  }

  /** The factor that clips the global gradient norm to config.gradClip, as torch's clip_grad_norm_ (1 without clipping). */
  private gradScale(): number {
    const clip = this.config.gradClip ?? 0;
    if (clip <= 0) return 1;
    let squares = 0;
    for (const p of this.model.params) squares += this.backend.sumSquares(p.grad);
    const norm = Math.sqrt(squares);
    this.lastGradNorm = norm;
    return norm > clip ? clip / (norm + 1e-6) : 1;
  }

  /** The global gradient norm of the last step, when clipping measures it. */
  lastGradNorm: number | null = null;

  /**
   * One optimisation step; returns the loss of its batch (before the update). Steps past
   * config.steps keep training at the schedule's last learning rate (cosine: minLr).
   */
  trainStep(): number {
    for (const p of this.model.params) this.backend.zero(p.grad);
    let loss: number;
    if (this.config.batch === 'full') {
      // Gradient accumulated over chunks: exactly the full-batch gradient, in bounded memory.
      const part = trainPart(this.data);
      const total = evaluationWindowCount(part, this.model.windowShape);
      const training = this.passContext();
      let chunkIndex = 0;
      loss = 0;
      this.forEachChunk(part, true, (pass, n) => {
        const context = { ...training, seed: mixSeed(training.seed, chunkIndex++) }; // each chunk its own dropout masks
        const chunkLoss = pass.tape.crossEntropy(this.model.forward(pass.tape, pass.inputs, context).logits, pass.targets, n / total);
        pass.tape.backward();
        loss += (chunkLoss * n) / total;
      });
    } else {
      sampleWindows(this.data, trainPart(this.data), this.model.windowShape, this.rng, this.batchInputs!.i32(), this.batchTargets!.i32());
      const batch = this.config.batch;
      const micro = this.config.microBatch || batch;
      const perWindow = targetsPerWindow(this.model.windowShape);
      const pass = this.passContext();
      loss = 0;
      // The batch in passes of `micro` windows (gradient accumulation): the same gradient, in less memory.
      for (let first = 0; first < batch; first += micro) {
        const inputs = micro === batch ? this.batchInputs! : this.batchInputs!.narrow(first, micro);
        const targets = micro === batch ? this.batchTargets! : this.batchTargets!.narrow(first * perWindow, micro * perWindow);
        this.tape.reset();
        const seed = micro === batch ? pass.seed : mixSeed(pass.seed, first);
        const chunk = this.tape.crossEntropy(this.model.forward(this.tape, inputs, { ...pass, seed }).logits, targets, micro / batch);
        this.tape.backward();
        loss += micro === batch ? chunk : (chunk * micro) / batch;
      }
    }
    this.optimizer.lr = this.currentLr;
    this.optimizer.step(this.gradScale());
    this.step++;
    return loss;
  }

  /**
   * The training pass of the current step: its dropout seed is a hash of the run's seed and the step,
   * so it draws nothing from the batch stream and a resumed run drops the same elements.
   */
  private passContext(): PassContext {
    return { training: true, seed: mixSeed(this.config.seed, this.step) };
  }

  /**
   * The training and validation losses now: exact means over every evaluation window, or, with
   * config.evalBatches, nanoGPT's estimate_loss: the mean over that many random batches of each part.
   * The batches come from a stream seeded by the run's seed and the step, so an evaluation draws
   * nothing from the training stream, and a resumed run evaluates on the same batches.
   */
  evaluate(): { train: number; val: number | null } {
    const batches = this.config.evalBatches ?? 0;
    if (batches === 0) return { train: this.meanLoss(trainPart(this.data)), val: this.valLoss() };
    // A batch of `batch` windows in passes of microBatch (drawn in the same order: the same windows).
    const batch = this.config.batch as number;
    const micro = this.config.microBatch || batch;
    const estimate = (part: Part, which: number) => {
      if (windowCount(part, this.model.window) === 0) return null;
      const rng = new Rng(mixSeed(mixSeed(this.config.seed, this.step), which));
      const pass = this.pass(micro, false);
      let total = 0;
      for (let i = 0; i < (batches * batch) / micro; i++) {
        pass.tape.reset();
        sampleWindows(this.data, part, this.model.windowShape, rng, pass.inputs.i32(), pass.targets.i32());
        total += pass.tape.crossEntropy(this.model.forward(pass.tape, pass.inputs).logits, pass.targets);
      }
      return total / ((batches * batch) / micro);
    };
    return { train: estimate(trainPart(this.data), 0)!, val: estimate(validationPart(this.data), 1) };
  }

  /** Mean loss over every window of the whole text (train and validation parts), without gradients. */
  fullDataLoss(): number {
    return this.meanLoss(wholeText(this.data));
  }

  /** Mean loss over every window of the validation part, or null without a split. */
  valLoss(): number | null {
    const part = validationPart(this.data);
    return evaluationWindowCount(part, this.model.windowShape) > 0 ? this.meanLoss(part) : null;
  }

  /** Where in the text the windows activationStats measures start (a copy). */
  get probeStarts(): number[] {
    return Array.from(this.probe);
  }

  /** Mean |x| of the input, hidden layer, logits and softmax on a fixed batch (the notebook's cell D). */
  activationStats(): ActivationStats {
    const pass = this.pass(this.probe.length, false);
    pass.tape.reset();
    const window = this.model.window;
    const inputs = pass.inputs.i32();
    const tokens = this.data.tokens;
    this.probe.forEach((start, b) => inputs.set(tokens.subarray(start, start + window), b * window));
    const { embedded, hidden, logits } = this.model.forward(pass.tape, pass.inputs);
    const probs = pass.tape.softmax(logits);
    const v = this.data.vocab.size;
    const p = probs.f32();
    const rows = probs.shape[0]; // one per target: a GPT's every position
    let maxSum = 0;
    for (let r = 0; r < rows; r++) {
      let m = 0;
      for (let j = 0; j < v; j++) m = Math.max(m, p[r * v + j]);
      maxSum += m;
    }
    return {
      input: embedded ? this.backend.meanAbs(embedded.value) : 1 / v,
      hidden: hidden ? this.backend.meanAbs(hidden.value) : null,
      output: this.backend.meanAbs(logits.value),
      softmax: this.backend.meanAbs(probs),
      softmaxMax: maxSum / rows,
    };
  }

  /** `length` characters sampled from the model (see `generate` for the options). */
  generate(length: number, rng: Rng, options: GenerateOptions = {}): string {
    return generate(this.backend, this.model, this.data.vocab, length, rng, options);
  }

  /** `generate`'s characters as an async iterator, one at a time, cancellable (see `generateStream`). */
  generateStream(length: number, rng: Rng, options: StreamOptions = {}): AsyncGenerator<string, void, undefined> {
    return generateStream(this.backend, this.model, this.data.vocab, length, rng, options);
  }

  /** The state to checkpoint after the current step. */
  state(): TrainerState {
    const params: NamedValues = {};
    for (const p of this.model.params) params[p.name] = { shape: p.shape, data: Float32Array.from(p.value.f32()) };
    return { step: this.step, rngState: this.rng.getState(), params, optimizer: this.optimizer.state() };
  }

  dispose(): void {
    this.model.params.forEach((p) => p.dispose());
    this.optimizer.dispose();
    this.tape.dispose();
    this.batchInputs?.dispose();
    this.batchTargets?.dispose();
    for (const pass of this.passes.values()) {
      pass.tape.dispose();
      pass.inputs.dispose();
      pass.targets.dispose();
    }
  }

  private meanLoss(part: Part): number {
    if (this.model.window === 1) return this.pairMeanLoss(part);
    let total = 0;
    this.forEachChunk(part, false, (pass, n) => {
      total += pass.tape.crossEntropy(this.model.forward(pass.tape, pass.inputs).logits, pass.targets) * n;
    });
    return total / evaluationWindowCount(part, this.model.windowShape);
  }

  /**
   * The mean loss of a model that sees one token: it predicts the same distribution wherever a
   * token stands, so instead of a pass over every window (a million, on tiny-shakespeare) one pass
   * over the V tokens, with each pair's loss weighted by how often the pair occurs. The log-softmax
   * is taken in float64 from the logits, so the mean equals the windowed pass's up to its rounding.
   */
  private pairMeanLoss(part: Part): number {
    const v = this.data.vocab.size;
    const counts = pairCounts(this.data.tokens, part, v);
    const pass = this.pass(v, false);
    pass.tape.reset();
    const inputs = pass.inputs.i32();
    for (let token = 0; token < v; token++) inputs[token] = token;
    const logits = this.model.forward(pass.tape, pass.inputs).logits.value.f32();
    let total = 0;
    let pairs = 0;
    for (let a = 0; a < v; a++) {
      const row = logits.subarray(a * v, (a + 1) * v);
      let max = -Infinity;
      for (let b = 0; b < v; b++) max = Math.max(max, row[b]);
      let sum = 0;
      for (let b = 0; b < v; b++) sum += Math.exp(row[b] - max);
      const logSum = max + Math.log(sum);
      for (let b = 0; b < v; b++) {
        const c = counts[a * v + b];
        if (c > 0) {
          total += c * (logSum - row[b]);
          pairs += c;
        }
      }
    }
    return total / pairs;
  }

  /** Calls `fn` for every evaluation window of the part (see evaluationWindowCount), a chunk at a time, with inputs and targets filled. */
  private forEachChunk(part: Part, recording: boolean, fn: (pass: ChunkPass, n: number) => void): void {
    const shape = this.model.windowShape;
    const count = evaluationWindowCount(part, shape);
    // No more windows per pass than a micro-batch, when the config sets one: that is what fits in memory.
    const chunk = Math.min(Math.max(1, Math.floor(CHUNK_TARGETS / targetsPerWindow(shape))), this.config.microBatch || Infinity);
    for (let first = 0; first < count; first += chunk) {
      const n = Math.min(chunk, count - first);
      const pass = this.pass(n, recording);
      pass.tape.reset();
      fillWindows(this.data, part, shape, first, pass.inputs.i32(), pass.targets.i32());
      fn(pass, n);
    }
  }

  /** A tape and input tensors per (windows, mode), kept so repeated passes allocate nothing. */
  private pass(n: number, recording: boolean): ChunkPass {
    const key = `${n}:${recording}`;
    let pass = this.passes.get(key);
    if (!pass) {
      const targets = n * targetsPerWindow(this.model.windowShape);
      pass = { tape: new Tape(this.backend, recording), inputs: this.backend.tensor([n, this.model.window], 'i32'), targets: this.backend.tensor([targets], 'i32') };
      this.passes.set(key, pass);
    }
    return pass;
  }
}
