// What a model kind declares (ts/nn/models/*) and the registry (registry.ts) collects.
import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import type { Tape } from '../autograd/tape.js';
import type { Parameter, Variable } from '../autograd/variable.js';
import type { Field } from '../config/fields.js';
import type { Predicts } from '../data/batches.js';

/**
 * What a parameter is for: an init starts a gain at 1 and a bias at 0 (kaiming, xavier), and an
 * optimizer decays weights and embeddings but not biases or gains.
 */
export type ParameterRole = 'weight' | 'bias' | 'gain' | 'embedding';

/** One parameter as a model declares it. Names are letters, digits, '_', '-' and dots (`h.0.attn.c_attn.weight`). */
export interface ParameterSpec {
  name: string;
  shape: number[];
  role: ParameterRole;
  /** A weight stored (out, in), torch.nn.Linear's layout, rather than the notebook's (in, out): says which dimension is fan-in. */
  layout?: 'in-out' | 'out-in';
  /** gpt2 init: this weight's std is 0.02 times this (nanoGPT's residual projections: 1/√(2·n_layer)). */
  initScale?: number;
}

/**
 * What a forward pass is for. Training draws dropout masks from `seed` (the trainer derives one per
 * step); evaluation and sampling drop nothing.
 */
export interface PassContext {
  training: boolean;
  seed: number;
}

export const EVALUATION: PassContext = { training: false, seed: 0 };

/** What one forward pass produced: the logits, and the hidden layer where there is one (statistics). */
export interface ForwardResult {
  logits: Variable;
  hidden?: Variable;
  /**
   * What the first dense layer reads, when the model embeds its tokens before it (context-mlp's
   * concatenated embeddings, a GPT's token + position sum). Absent, that layer reads one-hot rows.
   */
  embedded?: Variable;
}

/**
 * A model kind, declared once; everything else (trainer, optimizers, checkpoints, CLI, playground,
 * gradient tests) works from this. `C` is its config: `{ kind }` and the kind's own fields.
 */
export interface ModelDefinition<C extends { kind: string }> {
  kind: C['kind'];
  description: string;
  /** The kind's own config fields (all but `kind`), and their values when nothing sets them. */
  fields: readonly Field[];
  defaults: Omit<C, 'kind'>;
  /** Checks between fields that each passed its own check (heads dividing the width); throws a WasmgradError naming them. */
  validate?(config: C): void;
  /** Parameters in creation order: an init draws them from the PRNG in this order. */
  parameters(config: C, vocabSize: number): ParameterSpec[];
  /** Tokens per input window, T: what a batch row holds and the most that generation conditions on. */
  window(config: C): number;
  /**
   * 'last': logits (B, vocab) for inputs (B, T), the token after each window. 'every': logits
   * (B·T, vocab), row b·T + t the token after position t of window b (a GPT; the trainer then takes
   * B·T targets). Such a model also accepts windows shorter than T (generation's prompt).
   */
  predicts: Predicts;
  forward(tape: Tape, params: ReadonlyMap<string, Parameter>, inputs: Tensor, config: C, pass: PassContext): ForwardResult;
  /** Generation position by position with a cache (see Decoder): a GPT's KV cache. */
  decoder?(backend: Backend, params: ReadonlyMap<string, Parameter>, config: C): Decoder;
  /** Where the kind's weights also live outside wasmgrad (nanoGPT for a gpt): how model files convert. */
  exchange?: Exchange<C>;
}

/**
 * Generation one position at a time, keeping what earlier positions computed (a KV cache), so a
 * character costs one position's work instead of a whole window's. Its logits are the bits the full
 * forward pass gives at that position.
 */
export interface Decoder {
  /** Positions fed since the last reset; at most the model's window. */
  readonly length: number;
  /** Feeds a token at the next position; returns the logits (1, vocab) for the token after it, valid until the next call. */
  push(token: number): Tensor;
  /** Forgets every position: the next push is at position 0. */
  reset(): void;
  dispose(): void;
}

/**
 * Another framework's form of a kind's weights (model.ts's names already are its names): what it
 * keeps twice, what it keeps besides parameters, and its form of the config.
 */
export interface Exchange<C> {
  /** The framework, for messages ("nanoGPT"). */
  framework: string;
  /** The metadata key of its config (nanoGPT's checkpoints call it model_args). */
  argsKey: string;
  /** Tensors it stores twice (a tied lm_head), by their twin: written as copies, checked equal when read. */
  tied: Record<string, string>;
  /** Tensors it may store that are not parameters (nanoGPT's causal-mask buffers): dropped when read. */
  buffers: RegExp;
  toArgs(config: C, vocabSize: number): Record<string, unknown>;
  /** The config from its arguments, or a WasmgradError naming the argument that is missing or wrong. */
  fromArgs(args: Record<string, unknown>): { config: C; vocabSize: number };
}
