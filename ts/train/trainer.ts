import type { Backend } from '../backend/backend.js';
import { WasmgradError } from '../backend/errors.js';
import type { Tensor } from '../backend/tensor.js';
import { Tape } from '../autograd/tape.js';
import { trainPairs, valPairs, type CharDataset } from '../data/dataset.js';
import { createModel, type Model } from '../nn/models.js';
import { createOptimizer, type Optimizer } from '../optim/optimizer.js';
import { Rng } from '../util/rng.js';
import { validateConfig, type TrainConfig } from './config.js';
import { generate } from './generate.js';

/** Positions per forward pass when a pass covers many (full-batch steps, full-data loss). */
const CHUNK = 16384;
/** Positions in the fixed batch on which activation statistics are measured. */
const PROBE = 1024;

/** The notebook's cell D: mean |x| of each layer's values on a fixed batch. */
export interface ActivationStats {
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
  params: Record<string, Float32Array>;
  optimizer: { tensors: Record<string, Float32Array>; steps: number };
}

/** A pass over a range of positions, in chunks: inputs/targets tensors per chunk size, and a tape. */
interface ChunkPass {
  tape: Tape;
  inputs: Tensor;
  targets: Tensor;
}

/**
 * Trains a Model on a CharDataset with one backend. Browser-safe: no files, no clocks; the
 * caller (CLI, web worker) decides when to log, checkpoint and stop. One seeded Rng initialises
 * the parameters and then draws every batch, so a run is a pure function of config and data.
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
  private readonly probe: Int32Array;

  constructor(
    readonly backend: Backend,
    readonly data: CharDataset,
    readonly config: TrainConfig,
    resume?: TrainerState,
  ) {
    validateConfig(config);
    const positions = trainPairs(data);
    if (positions < 1) throw new WasmgradError('the training part of the text has no (input, next character) pair. Fix: use a longer text or a smaller validation fraction.');
    if (config.batch !== 'full' && config.batch > positions) {
      throw new WasmgradError(`--batch ${config.batch} is larger than the ${positions} training positions. Fix: use --batch ${Math.min(1024, positions)} or less, or --batch full.`);
    }
    const modelConfig = { kind: config.model, vocabSize: data.vocab.size, hidden: config.hidden, init: config.init };
    this.rng = new Rng(config.seed);
    this.model = createModel(backend, modelConfig, resume ? { values: resume.params } : { rng: this.rng });
    this.optimizer = createOptimizer(config.optimizer, backend, this.model.params, config.lr);
    if (resume) {
      this.optimizer.loadState(resume.optimizer.tensors, resume.optimizer.steps);
      this.rng = Rng.fromState(resume.rngState);
      this.step = resume.step;
    }
    this.tape = new Tape(backend);
    const b = config.batch === 'full' ? null : config.batch;
    this.batchInputs = b ? backend.tensor([b], 'i32') : null;
    this.batchTargets = b ? backend.tensor([b], 'i32') : null;
    // Statistics always look at the same positions, drawn from their own stream.
    const probeRng = new Rng(config.seed ^ 0x5eed);
    this.probe = Int32Array.from({ length: Math.min(PROBE, positions) }, () => probeRng.int(positions));
  }

  /** The learning rate of the next step under the schedule. */
  get currentLr(): number {
    const { lr, schedule, steps } = this.config;
    if (schedule === 'constant') return lr;
    return 0.5 * lr * (1 + Math.cos((Math.PI * Math.min(this.step, steps)) / steps));
  }

  /** One optimisation step; returns the loss of its batch (before the update). */
  trainStep(): number {
    for (const p of this.model.params) this.backend.zero(p.grad);
    let loss: number;
    if (this.config.batch === 'full') {
      // Gradient accumulated over chunks: exactly the full-batch gradient, in bounded memory.
      const total = trainPairs(this.data);
      loss = 0;
      this.forEachChunk(0, total, true, (pass, n) => {
        const chunkLoss = pass.tape.crossEntropy(this.model.forward(pass.tape, pass.inputs).logits, pass.targets, n / total);
        pass.tape.backward();
        loss += (chunkLoss * n) / total;
      });
    } else {
      this.sampleBatch();
      this.tape.reset();
      loss = this.tape.crossEntropy(this.model.forward(this.tape, this.batchInputs!).logits, this.batchTargets!);
      this.tape.backward();
    }
    this.optimizer.lr = this.currentLr;
    this.optimizer.step();
    this.step++;
    return loss;
  }

  /** Mean loss over every position of the text (train and validation parts), without gradients. */
  fullDataLoss(): number {
    return this.meanLoss(0, this.data.tokens.length - 1);
  }

  /** Mean loss over the validation positions, or null without a split. */
  valLoss(): number | null {
    return valPairs(this.data) > 0 ? this.meanLoss(this.data.trainEnd, this.data.tokens.length - 1) : null;
  }

  /** Mean |x| of the input, hidden layer, logits and softmax on a fixed batch (the notebook's cell D). */
  activationStats(): ActivationStats {
    const pass = this.pass(this.probe.length, false);
    pass.tape.reset();
    pass.inputs.i32().set(this.probe.map((i) => this.data.tokens[i]));
    const { hidden, logits } = this.model.forward(pass.tape, pass.inputs);
    const probs = pass.tape.softmax(logits);
    const v = this.data.vocab.size;
    const p = probs.f32();
    let maxSum = 0;
    for (let r = 0; r < this.probe.length; r++) {
      let m = 0;
      for (let j = 0; j < v; j++) m = Math.max(m, p[r * v + j]);
      maxSum += m;
    }
    return {
      input: 1 / v, // a one-hot row holds one 1 among v entries
      hidden: hidden ? this.backend.meanAbs(hidden.value) : null,
      output: this.backend.meanAbs(logits.value),
      softmax: this.backend.meanAbs(probs),
      softmaxMax: maxSum / this.probe.length,
    };
  }

  /** `length` characters sampled from the model, starting after `first` (default: the text's first). */
  generate(length: number, rng: Rng, first = this.data.vocab.decode([this.data.tokens[0]])): string {
    return generate(this.backend, this.model, this.data.vocab, length, rng, first);
  }

  /** The state to checkpoint after the current step. */
  state(): TrainerState {
    const params: Record<string, Float32Array> = {};
    for (const p of this.model.params) params[p.name] = Float32Array.from(p.value.f32());
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

  /** Draws batch positions uniformly (torch.randint) and writes inputs and next characters. */
  private sampleBatch(): void {
    const tokens = this.data.tokens;
    const positions = trainPairs(this.data);
    const x = this.batchInputs!.i32();
    const y = this.batchTargets!.i32();
    for (let j = 0; j < x.length; j++) {
      const i = this.rng.int(positions);
      x[j] = tokens[i];
      y[j] = tokens[i + 1];
    }
  }

  private meanLoss(start: number, end: number): number {
    let total = 0;
    this.forEachChunk(start, end, false, (pass, n) => {
      total += pass.tape.crossEntropy(this.model.forward(pass.tape, pass.inputs).logits, pass.targets) * n;
    });
    return total / (end - start);
  }

  /** Calls `fn` for positions [start, end) in chunks of CHUNK, with inputs and targets filled. */
  private forEachChunk(start: number, end: number, recording: boolean, fn: (pass: ChunkPass, n: number) => void): void {
    const tokens = this.data.tokens;
    for (let s = start; s < end; s += CHUNK) {
      const n = Math.min(CHUNK, end - s);
      const pass = this.pass(n, recording);
      pass.tape.reset();
      pass.inputs.i32().set(tokens.subarray(s, s + n));
      pass.targets.i32().set(tokens.subarray(s + 1, s + n + 1));
      fn(pass, n);
    }
  }

  /** A tape and input tensors per (size, mode), kept so repeated passes allocate nothing. */
  private pass(n: number, recording: boolean): ChunkPass {
    const key = `${n}:${recording}`;
    let pass = this.passes.get(key);
    if (!pass) {
      pass = { tape: new Tape(this.backend, recording), inputs: this.backend.tensor([n], 'i32'), targets: this.backend.tensor([n], 'i32') };
      this.passes.set(key, pass);
    }
    return pass;
  }
}
