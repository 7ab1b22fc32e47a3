import type { Backend } from '../backend/backend.js';
import { WasmgradError } from '../backend/errors.js';
import type { Tensor } from '../backend/tensor.js';
import type { Parameter } from '../autograd/variable.js';
import type { NamedValues } from '../nn/registry.js';

export type OptimizerName = 'sgd' | 'adam' | 'adamw';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'adam', 'adamw'];

/** Updates parameters from their gradients; its state (if any) is saved in checkpoints. */
export interface Optimizer {
  readonly name: OptimizerName;
  lr: number;
  /** Updates taken so far. */
  readonly steps: number;
  /** One update; `gradScale` multiplies every gradient first (global norm clipping's factor). */
  step(gradScale?: number): void;
  /** State tensors by name (e.g. 'w1.m', a parameter's name and the moment) with their shapes, and the step count. */
  state(): { tensors: NamedValues; steps: number };
  loadState(tensors: NamedValues, steps: number): void;
  dispose(): void;
}

/** Plain gradient descent, p -= lr·grad: the notebook's update. Stateless. */
export class Sgd implements Optimizer {
  readonly name = 'sgd';
  steps = 0;

  constructor(
    private readonly backend: Backend,
    private readonly params: readonly Parameter[],
    public lr: number,
  ) {}

  step(gradScale = 1): void {
    // lr·(s·g) as (lr·s)·g: the same update, and for s = 1 the same bits as without clipping.
    for (const p of this.params) this.backend.sgdStep(p.value, p.grad, gradScale === 1 ? this.lr : this.lr * gradScale);
    this.steps++;
  }

  state() {
    return { tensors: {}, steps: this.steps };
  }

  loadState(_tensors: NamedValues, steps: number): void {
    this.steps = steps;
  }

  dispose(): void {}
}

/**
 * Adam (torch.optim.Adam: β1 = 0.9, eps = 1e-8), or AdamW (torch.optim.AdamW) when some parameters
 * decay: `decayed` says which (nanoGPT's groups: weights and embeddings, not biases or gains).
 * Moments are kept in the backend.
 */
export class Adam implements Optimizer {
  readonly name: 'adam' | 'adamw';
  steps = 0;
  private readonly moments: { m: Tensor; v: Tensor }[];

  constructor(
    private readonly backend: Backend,
    private readonly params: readonly Parameter[],
    public lr: number,
    private readonly options: { beta2?: number; weightDecay?: number; decayed?: (p: Parameter) => boolean } = {},
    private readonly beta1 = 0.9,
    private readonly eps = 1e-8,
  ) {
    this.name = options.weightDecay === undefined ? 'adam' : 'adamw';
    this.moments = params.map((p) => ({ m: backend.tensor(p.shape), v: backend.tensor(p.shape) }));
  }

  step(gradScale = 1): void {
    this.steps++;
    const { beta2 = 0.999, weightDecay = 0, decayed = () => true } = this.options;
    const base = { lr: this.lr, beta1: this.beta1, beta2, eps: this.eps, step: this.steps, gradScale };
    this.params.forEach((p, i) => {
      const options = weightDecay > 0 && decayed(p) ? { ...base, weightDecay } : base;
      this.backend.adamStep(p.value, p.grad, this.moments[i].m, this.moments[i].v, options);
    });
  }

  state() {
    const tensors: NamedValues = {};
    this.params.forEach((p, i) => {
      tensors[`${p.name}.m`] = { shape: p.shape, data: Float32Array.from(this.moments[i].m.f32()) };
      tensors[`${p.name}.v`] = { shape: p.shape, data: Float32Array.from(this.moments[i].v.f32()) };
    });
    return { tensors, steps: this.steps };
  }

  loadState(tensors: NamedValues, steps: number): void {
    this.params.forEach((p, i) => {
      for (const which of ['m', 'v'] as const) {
        const t = tensors[`${p.name}.${which}`];
        if (!t || t.shape.length !== p.shape.length || t.shape.some((d, j) => d !== p.shape[j])) {
          throw new WasmgradError(
            `the optimizer state has no Adam moment '${p.name}.${which}' of shape (${p.shape.join(',')}). Fix: resume with the optimizer the run was trained with.`,
          );
        }
        this.backend.write(this.moments[i][which], t.data);
      }
    });
    this.steps = steps;
  }

  dispose(): void {
    this.moments.forEach(({ m, v }) => (m.dispose(), v.dispose()));
  }
}

/**
 * The tensors an optimizer keeps for these parameters, by name and shape (what its state() holds
 * and a checkpoint must carry): none for SGD, the two moments of each parameter for Adam and AdamW.
 */
export function optimizerStateShapes(name: OptimizerName, params: readonly { name: string; shape: readonly number[] }[]): { name: string; shape: readonly number[] }[] {
  if (name === 'sgd') return [];
  return params.flatMap((p) => (['m', 'v'] as const).map((which) => ({ name: `${p.name}.${which}`, shape: p.shape })));
}

/** Options of the optimizers that have them: Adam's β2, AdamW's decay and which parameters it applies to. */
export interface OptimizerOptions {
  beta2?: number;
  weightDecay?: number;
  decayed?: (p: Parameter) => boolean;
}

export function createOptimizer(name: OptimizerName, backend: Backend, params: readonly Parameter[], lr: number, options: OptimizerOptions = {}): Optimizer {
  if (name === 'sgd') return new Sgd(backend, params, lr);
  if (name === 'adam') return new Adam(backend, params, lr, { beta2: options.beta2 });
  if (name === 'adamw') return new Adam(backend, params, lr, { beta2: options.beta2, weightDecay: options.weightDecay ?? 0, decayed: options.decayed });
  throw new WasmgradError(`unknown optimizer '${name}'. Fix: use sgd, adam or adamw.`);
}
