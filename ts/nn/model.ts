// What a model kind declares (ts/nn/models/*) and the registry (registry.ts) collects.
import type { Tensor } from '../backend/tensor.js';
import type { Tape } from '../autograd/tape.js';
import type { Parameter, Variable } from '../autograd/variable.js';
import type { Field } from '../config/fields.js';

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
}

/** What one forward pass produced: the logits, and the hidden layer where there is one (statistics). */
export interface ForwardResult {
  logits: Variable;
  hidden?: Variable;
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
  /** Parameters in creation order: an init draws them from the PRNG in this order. */
  parameters(config: C, vocabSize: number): ParameterSpec[];
  /** Tokens per input window, T: what a batch row holds and what generation conditions on. */
  window(config: C): number;
  /**
   * Logits (B, vocab) for inputs (B, T): the next token after each window. (A model that predicts
   * every position of its window, as a GPT does, will declare so here, and the trainer take B·T targets.)
   */
  forward(tape: Tape, params: ReadonlyMap<string, Parameter>, inputs: Tensor, config: C): ForwardResult;
}
