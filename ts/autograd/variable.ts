import type { Tensor } from '../backend/tensor.js';

/**
 * A value in the computation graph and, when it requires one, its gradient. Kernels accumulate
 * into `grad` during backward; gradients start each step at zero.
 */
export class Variable {
  constructor(
    readonly value: Tensor,
    readonly grad: Tensor | null,
  ) {}

  get shape(): readonly number[] {
    return this.value.shape;
  }

  get requiresGrad(): boolean {
    return this.grad !== null;
  }
}

/** A trainable, named, long-lived Variable: owns its value and gradient tensors. */
export class Parameter extends Variable {
  constructor(
    readonly name: string,
    value: Tensor,
    grad: Tensor,
  ) {
    super(value, grad);
  }

  declare readonly grad: Tensor;

  dispose(): void {
    this.value.dispose();
    this.grad.dispose();
  }
}
