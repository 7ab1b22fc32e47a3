import type { Backend } from '../backend/backend.js';
import { WasmgradError } from '../backend/errors.js';
import type { Tensor } from '../backend/tensor.js';
import type { Parameter } from '../autograd/variable.js';
import type { NamedValues } from '../nn/registry.js';

export type OptimizerName = 'sgd' | 'adam';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'adam'];

/** Updates parameters from their gradients; its state (if any) is saved in checkpoints. */
export interface Optimizer {
  readonly name: OptimizerName;
  lr: number;
  /** Updates taken so far. */
  readonly steps: number;
  step(): void;
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

  step(): void {
    for (const p of this.params) this.backend.sgdStep(p.value, p.grad, this.lr);
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

/** Adam (torch.optim.Adam's defaults: β = (0.9, 0.999), eps = 1e-8), moments kept in the backend. */
export class Adam implements Optimizer {
  readonly name = 'adam';
  steps = 0;
  private readonly moments: { m: Tensor; v: Tensor }[];

  constructor(
    private readonly backend: Backend,
    private readonly params: readonly Parameter[],
    public lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.moments = params.map((p) => ({ m: backend.tensor(p.shape), v: backend.tensor(p.shape) }));
  }

  step(): void {
    this.steps++;
    const options = { lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, step: this.steps };
    this.params.forEach((p, i) => this.backend.adamStep(p.value, p.grad, this.moments[i].m, this.moments[i].v, options));
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

export function createOptimizer(name: OptimizerName, backend: Backend, params: readonly Parameter[], lr: number): Optimizer {
  if (name === 'sgd') return new Sgd(backend, params, lr);
  if (name === 'adam') return new Adam(backend, params, lr);
  throw new WasmgradError(`unknown optimizer '${name}'. Fix: use sgd or adam.`);
}
