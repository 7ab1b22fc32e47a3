import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import { WasmgradError } from '../backend/errors.js';
import { Tape } from '../autograd/tape.js';
import { describeChar, type Vocabulary } from '../data/vocab.js';
import type { Decoder, Model } from '../nn/registry.js';
import { yielder } from '../util/event-loop.js';
import type { Rng } from '../util/rng.js';

/** How to sample, as nanoGPT's sample.py does. */
export interface GenerateOptions {
  /**
   * The text the sample continues; the model sees its last T characters, its window. A shorter
   * prompt is padded on the left with newlines (a new passage), or with the vocabulary's first
   * character if it has no newline; a model that predicts every position (a GPT) reads it unpadded,
   * as nanoGPT does. Default: a newline.
   */
  prompt?: string;
  /** The logits are divided by it before the softmax: below 1 sharper, above 1 flatter. Default 1. */
  temperature?: number;
  /** Only the k most likely characters (and any tied with the k-th) can be drawn. Default: all. */
  topK?: number;
}

/** Checks the options against the vocabulary; the messages name the option and the fix. */
function checkOptions(vocab: Vocabulary, options: GenerateOptions): void {
  const { prompt, temperature = 1, topK } = options;
  if (!(typeof temperature === 'number' && Number.isFinite(temperature) && temperature > 0)) {
    throw new WasmgradError(`options.temperature is ${temperature} but must be a positive number. Fix: use e.g. 0.8 (sharper) or 1 (the model's own distribution).`);
  }
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) {
    throw new WasmgradError(`options.topK is ${topK} but must be a positive integer. Fix: use e.g. 40, or leave it out to draw from every character.`);
  }
  if (prompt !== undefined) {
    if (prompt.length === 0) throw new WasmgradError('options.prompt is empty. Fix: pass some text, or leave the prompt out to start a new passage.');
    const unknown = vocab.firstUnknown(prompt);
    if (unknown) {
      throw new WasmgradError(
        `options.prompt has ${describeChar(unknown.char)} (at ${unknown.position}), which is not in the model's vocabulary: the vocabulary comes from the training text. ` +
          `Fix: use only characters of ${JSON.stringify(vocab.chars.join(''))}.`,
      );
    }
  }
}

/** Generation options for an app: `generateStream` adds a signal to `generate`'s. */
export interface StreamOptions extends GenerateOptions {
  /** Ends the stream after the character being drawn. */
  signal?: AbortSignal;
  /** Give the event loop a turn at least this often, in ms of sampling (default 20). */
  yieldMs?: number;
}

/**
 * `length` characters sampled from the model after `options.prompt`, each drawn from the softmax
 * of the logits for the model's window of the characters before it. The probabilities come from
 * the backend's softmax kernel, so the wasm backends draw the same text in every engine.
 */
export function generate(backend: Backend, model: Model, vocab: Vocabulary, length: number, rng: Rng, options: GenerateOptions = {}): string {
  return vocab.decode(Array.from(sampleTokens(backend, model, vocab, length, rng, options)));
}

/**
 * `generate`'s characters one at a time, as they are drawn: the same text for the same rng. It
 * hands the event loop a turn every `yieldMs`, and ends early when `signal` aborts (or the
 * consumer breaks out of its loop); either way the model's tensors for sampling are freed.
 */
export async function* generateStream(backend: Backend, model: Model, vocab: Vocabulary, length: number, rng: Rng, options: StreamOptions = {}): AsyncGenerator<string, void, undefined> {
  const { signal, yieldMs = 20, ...sampling } = options;
  const pause = yielder(yieldMs);
  if (signal?.aborted) return;
  for (const id of sampleTokens(backend, model, vocab, length, rng, sampling)) {
    yield vocab.chars[id];
    if (signal?.aborted) return;
    await pause();
    if (signal?.aborted) return;
  }
}

/** The token ids of a sample, drawn one per `next()`; returning early frees what sampling holds. */
function* sampleTokens(backend: Backend, model: Model, vocab: Vocabulary, length: number, rng: Rng, options: GenerateOptions): Generator<number, void, undefined> {
  checkOptions(vocab, options);
  const { temperature = 1, topK } = options;
  const pad = vocab.chars.includes('\n') ? '\n' : vocab.chars[0];
  const window = model.window;
  const every = model.windowShape.predicts === 'every';
  const prompt = Array.from(vocab.encode(options.prompt ?? pad));
  const padding = every ? 0 : Math.max(0, window - prompt.length);
  const context = [...Array<number>(padding).fill(vocab.encode(pad)[0]), ...prompt].slice(-window);
  const next = model.decoder ? cached(model.decoder(), context, window) : windowed(backend, model, context, window);
  const scaled = backend.tensor([1, vocab.size]);
  const probs = backend.tensor([1, vocab.size]);
  try {
    let logits = next.first();
    for (let i = 0; i < length; i++) {
      backend.zero(scaled);
      backend.axpy(scaled, logits, 1 / temperature); // exact for temperature 1
      backend.softmaxForward(probs, scaled);
      const id = sampleIndex(topK === undefined ? probs.f32() : keepTopK(probs.f32(), topK), rng.uniform());
      yield id;
      if (i < length - 1) logits = next.after(id);
    }
  } finally {
    next.dispose();
    for (const t of [scaled, probs]) t.dispose();
  }
}

/** Logits (1, vocab) for the token after the context, then after each token sampled. */
interface NextLogits {
  first(): Tensor;
  after(id: number): Tensor;
  dispose(): void;
}

/** A forward pass over the window of the last characters for every character. */
function windowed(backend: Backend, model: Model, context: number[], window: number): NextLogits {
  const tape = new Tape(backend, false);
  const every = model.windowShape.predicts === 'every';
  // One input per context length: a GPT's context grows to its block size.
  const inputs = new Map<number, Tensor>();
  const logits = () => {
    tape.reset();
    let input = inputs.get(context.length);
    if (!input) inputs.set(context.length, (input = backend.tensor([1, context.length], 'i32')));
    input.i32().set(context);
    const all = model.forward(tape, input).logits.value;
    return every ? all.narrow(all.shape[0] - 1, 1) : all; // a GPT's last row: the prediction after the last position
  };
  return {
    first: logits,
    after(id) {
      if (context.length === window) context.shift();
      context.push(id);
      return logits();
    },
    dispose() {
      tape.dispose();
      for (const t of inputs.values()) t.dispose();
    },
  };
}

/**
 * A model's cached decoder: one position's work per character. When its window is full, it starts
 * again from the last half of the window (fed in one position at a time), so a character is
 * conditioned on between T/2 and T characters instead of the windowed pass's always T: the same
 * text for the first T - (prompt length) characters, close to it after.
 */
function cached(decoder: Decoder, context: number[], window: number): NextLogits {
  const feed = (tokens: number[]) => {
    decoder.reset();
    let logits: Tensor | null = null;
    for (const t of tokens) logits = decoder.push(t);
    return logits!;
  };
  return {
    first: () => feed(context),
    after(id) {
      context.push(id);
      if (context.length > window) context.shift();
      return decoder.length < window ? decoder.push(id) : feed(context.slice(-Math.ceil(window / 2)));
    },
    dispose: () => decoder.dispose(),
  };
}

/** The probabilities with all but the k largest (and ties with the k-th) set to 0; not renormalised. */
export function keepTopK(probs: Float32Array, k: number): Float32Array {
  if (k >= probs.length) return probs;
  const threshold = Float32Array.from(probs).sort().reverse()[k - 1];
  return probs.map((p) => (p >= threshold ? p : 0));
}

/** The index where the cumulative sum of `weights` first exceeds u·Σweights, u ∈ [0, 1). */
export function sampleIndex(weights: ArrayLike<number>, u: number): number {
  let total = 0;
  for (let j = 0; j < weights.length; j++) total += weights[j];
  const target = u * total;
  let acc = 0;
  let last = 0;
  for (let j = 0; j < weights.length; j++) {
    if (weights[j] === 0) continue;
    acc += weights[j];
    last = j;
    if (target < acc) return j;
  }
  return last; // rounding left the sum just below the target
}
