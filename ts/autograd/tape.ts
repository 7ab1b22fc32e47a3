import type { Backend } from '../backend/backend.js';
import { WasmgradError } from '../backend/errors.js';
import { formatShape, type DType, type Tensor } from '../backend/tensor.js';
import { OneHot, Variable } from './variable.js';

/**
 * Records operations as they run (define-by-run) and replays their backward kernels in reverse.
 *
 * Every output and gradient buffer comes from a list of slots that the next forward pass reuses in
 * the same order: a training step with the same shapes allocates nothing after the first step.
 * Use one tape per kind of pass (training steps, evaluation chunks) so their slots stay stable.
 */
export class Tape {
  private readonly backwards: (() => void)[] = [];
  private readonly slots: Tensor[] = [];
  private cursor = 0;
  private lossSeeded = false;

  /**
   * @param recording false for evaluation: no gradients are allocated and nothing is recorded.
   */
  constructor(
    readonly backend: Backend,
    readonly recording = true,
  ) {}

  /** Starts a new forward pass: forgets recorded operations, rewinds the buffer slots. */
  reset(): void {
    this.backwards.length = 0;
    this.cursor = 0;
    this.lossSeeded = false;
  }

  /** Returns every buffer to the backend. */
  dispose(): void {
    this.slots.forEach((t) => t.dispose());
    this.slots.length = 0;
    this.reset();
  }

  oneHot(indices: Tensor, depth: number): OneHot {
    if (indices.dtype !== 'i32' || indices.shape.length !== 1) {
      throw new WasmgradError(`oneHot: indices must be a 1-D i32 tensor, got ${indices.dtype}${formatShape(indices.shape)}. Fix: encode the characters to an i32 tensor.`);
    }
    return new OneHot(indices, depth);
  }

  /** a @ b. With a one-hot `a` this is a row gather of b (embedding), as the notebook's X @ w1. */
  matmul(a: Variable | OneHot, b: Variable): Variable {
    if (a instanceof OneHot) {
      if (b.shape[0] !== a.depth) {
        throw new WasmgradError(`matmul: one_hot(depth ${a.depth}) @ ${formatShape(b.shape)}: depth and rows differ. Fix: b needs ${a.depth} rows (the vocabulary size).`);
      }
      const out = this.output([a.indices.size, b.shape[1]], b.requiresGrad);
      this.backend.embeddingForward(out.value, a.indices, b.value);
      this.record(() => this.backend.embeddingBackward(b.grad!, a.indices, out.grad!), b.requiresGrad);
      return out;
    }
    const out = this.output([a.shape[0], b.shape[1]], a.requiresGrad || b.requiresGrad);
    this.backend.matmul(out.value, a.value, b.value);
    this.record(() => {
      if (a.grad) this.backend.matmul(a.grad, out.grad!, b.value, { transB: true, accumulate: true });
      if (b.grad) this.backend.matmul(b.grad, a.value, out.grad!, { transA: true, accumulate: true });
    }, out.requiresGrad);
    return out;
  }

  /** x + bias, broadcast over rows. */
  addBias(x: Variable, bias: Variable): Variable {
    const out = this.output(x.shape, x.requiresGrad || bias.requiresGrad);
    this.backend.copy(out.value, x.value);
    this.backend.biasForward(out.value, bias.value);
    this.record(() => {
      if (x.grad) this.backend.axpy(x.grad, out.grad!, 1);
      if (bias.grad) this.backend.biasBackward(bias.grad, out.grad!);
    }, out.requiresGrad);
    return out;
  }

  /**
   * x @ w + b in one buffer: the bias is added in place to the product, which nothing else reads
   * (the matmul's backward needs x and w, not its output). Weights are (in, out) as in the notebook.
   */
  linear(x: Variable | OneHot, w: Variable, b: Variable): Variable {
    const out = this.matmul(x, w);
    if (this.recording && !out.requiresGrad && b.requiresGrad) {
      throw new WasmgradError('linear: the bias needs a gradient but the weight does not. Fix: use addBias(matmul(x, w), b).');
    }
    this.backend.biasForward(out.value, b.value);
    this.record(() => this.backend.biasBackward(b.grad!, out.grad!), b.requiresGrad);
    return out;
  }

  gelu(x: Variable): Variable {
    const out = this.output(x.shape, x.requiresGrad);
    this.backend.geluForward(out.value, x.value);
    this.record(() => this.backend.geluBackward(x.grad!, x.value, out.value, out.grad!), x.requiresGrad);
    return out;
  }

  /**
   * Mean softmax cross-entropy of logits (n, v) against targets (n): returns the loss as a number
   * (the only value a training step reads back). `backward()` then starts from it.
   * `weight` scales the gradient: a chunk of n out of N positions in a full-batch step passes n/N.
   */
  crossEntropy(logits: Variable, targets: Tensor, weight = 1): number {
    const [n] = logits.shape;
    const probs = this.slot(logits.shape);
    const loss = this.backend.softmaxXentForward(probs, logits.value, targets);
    if (this.recording && logits.requiresGrad) {
      // d(mean loss)/d(loss_i) = 1/n, as llm.c seeds it.
      const dlosses = this.slot([n]);
      dlosses.f32().fill(weight / n);
      this.backwards.push(() => this.backend.softmaxXentBackward(logits.grad!, dlosses, probs, targets));
      this.lossSeeded = true;
    }
    return loss;
  }

  /** softmax(logits) along rows, without gradient (sampling and statistics). */
  softmax(logits: Variable): Tensor {
    const probs = this.slot(logits.shape);
    const targets = this.intSlot([logits.shape[0]]); // zeros: any valid class; the loss is unused
    this.backend.softmaxXentForward(probs, logits.value, targets);
    return probs;
  }

  /** Runs the recorded backward kernels in reverse order, accumulating into every .grad. */
  backward(): void {
    if (!this.recording) throw new WasmgradError('backward: this tape does not record (evaluation mode). Fix: use a tape made with recording = true.');
    if (!this.lossSeeded) throw new WasmgradError('backward: no loss was computed on this tape since reset(). Fix: call crossEntropy(...) first.');
    for (let i = this.backwards.length - 1; i >= 0; i--) this.backwards[i]();
  }

  /** An output Variable from the slots; its gradient (zeroed) only when recording and needed. */
  private output(shape: readonly number[], requiresGrad: boolean): Variable {
    const value = this.slot(shape);
    if (!this.recording || !requiresGrad) return new Variable(value, null);
    return new Variable(value, this.zeroedSlot(shape));
  }

  private intSlot(shape: readonly number[]): Tensor {
    return this.slot(shape, 'i32');
  }

  private zeroedSlot(shape: readonly number[]): Tensor {
    const t = this.slot(shape);
    this.backend.zero(t);
    return t;
  }

  private record(backward: () => void, needed: boolean): void {
    if (this.recording && needed) this.backwards.push(backward);
  }

  /** The next buffer slot, reused when the shape matches the previous pass's. */
  private slot(shape: readonly number[], dtype: DType = 'f32'): Tensor {
    const existing = this.slots[this.cursor];
    if (existing && existing.dtype === dtype && existing.shape.length === shape.length && existing.shape.every((d, i) => d === shape[i])) {
      this.cursor++;
      return existing;
    }
    existing?.dispose();
    const fresh = this.backend.tensor(shape, dtype);
    this.slots[this.cursor++] = fresh;
    return fresh;
  }
}
