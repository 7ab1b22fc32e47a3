import type { Backend } from '../backend/backend.js';
import { WasmgradError } from '../backend/errors.js';
import type { Tensor } from '../backend/tensor.js';
import type { Tape } from '../autograd/tape.js';
import { Parameter, type Variable } from '../autograd/variable.js';
import type { Rng } from '../util/rng.js';
import { initialValues, type InitName } from './init.js';

export type ModelKind = 'linear' | 'mlp';
export const MODEL_KINDS: readonly ModelKind[] = ['linear', 'mlp'];

export interface ModelConfig {
  kind: ModelKind;
  vocabSize: number;
  /** Hidden units of the MLP (ignored by the linear model). */
  hidden: number;
  init: InitName;
}

/** What one forward pass produced: the logits, and the hidden layer where there is one. */
export interface ForwardResult {
  logits: Variable;
  hidden?: Variable;
}

/** A next-character model: parameters by the notebook's names, and a forward pass on a tape. */
export interface Model {
  readonly config: ModelConfig;
  readonly params: readonly Parameter[];
  /** Logits (n, vocab) for n input character ids. */
  forward(tape: Tape, inputs: Tensor): ForwardResult;
}

/** The notebook's "perceptron": logistic regression on one-hot characters, one_hot(x) @ m + q. */
class LinearModel implements Model {
  constructor(
    readonly config: ModelConfig,
    readonly params: readonly Parameter[],
  ) {}

  forward(tape: Tape, inputs: Tensor): ForwardResult {
    const [m, q] = this.params;
    return { logits: tape.embedding(inputs, m, q) };
  }
}

/** The notebook's MLP: gelu(one_hot(x) @ w1 + b1) @ w2 + b2. */
class MlpModel implements Model {
  constructor(
    readonly config: ModelConfig,
    readonly params: readonly Parameter[],
  ) {}

  forward(tape: Tape, inputs: Tensor): ForwardResult {
    const [w1, b1, w2, b2] = this.params;
    const hidden = tape.gelu(tape.embedding(inputs, w1, b1));
    return { hidden, logits: tape.linear(hidden, w2, b2) };
  }
}

/** Parameter names and shapes, in the notebook's (in, out) layout. */
export function parameterShapes(config: ModelConfig): [string, number[]][] {
  const { vocabSize: v, hidden: h } = config;
  if (config.kind === 'linear') return [['m', [v, v]], ['q', [v]]];
  return [['w1', [v, h]], ['b1', [h]], ['w2', [h, v]], ['b2', [v]]];
}

/**
 * A model with parameters on `backend`: initialised from `rng` (in the order of
 * parameterShapes, as the notebook creates them), or from `values` by name (a checkpoint).
 */
export function createModel(backend: Backend, config: ModelConfig, source: { rng: Rng } | { values: Record<string, Float32Array> }): Model {
  if (!(config.kind === 'linear' || config.kind === 'mlp')) {
    throw new WasmgradError(`unknown model '${config.kind}'. Fix: use linear or mlp.`);
  }
  const params = parameterShapes(config).map(([name, shape]) => {
    let values: Float32Array;
    if ('rng' in source) values = initialValues(config.init, shape, source.rng);
    else {
      values = source.values[name];
      const size = shape.reduce((a, b) => a * b, 1);
      if (!values || values.length !== size) {
        throw new WasmgradError(`the checkpoint has no parameter '${name}' of shape (${shape.join(',')}). Fix: resume with the model and sizes it was trained with.`);
      }
    }
    return new Parameter(name, backend.fromArray(shape, values), backend.tensor(shape));
  });
  return config.kind === 'linear' ? new LinearModel(config, params) : new MlpModel(config, params);
}
