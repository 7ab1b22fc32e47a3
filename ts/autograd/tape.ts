import type { Backend } from '../backend/backend.js';
import { WasmgradError } from '../backend/errors.js';
import { formatShape, type DType, type Tensor } from '../backend/tensor.js';
import { Variable } from './variable.js';

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

  /**
   * table[idx]: one row of `table` (rows, c) per index, for indices (…) of any shape → (…, c). This is
   * one_hot(idx) @ table (the notebook's `F.one_hot(x, vocab).float() @ w1`) without the one-hot.
   * With `bias`, bias (c) is added to every row in place, as a Linear layer on one-hot input does.
   */
  embedding(idx: Tensor, table: Variable, bias?: Variable): Variable {
    if (idx.dtype !== 'i32') {
      throw new WasmgradError(`embedding: indices must be an i32 tensor, got ${idx.dtype}${formatShape(idx.shape)}. Fix: encode the characters to an i32 tensor.`);
    }
    const out = this.output([...idx.shape, table.shape[1]], table.requiresGrad || (bias?.requiresGrad ?? false));
    this.backend.embeddingForward(out.value, idx, table.value);
    this.record(() => this.backend.embeddingBackward(table.grad!, idx, out.grad!), table.requiresGrad);
    if (bias) this.addBiasInPlace(out, bias);
    return out;
  }

  /** a @ b for a (m,k) and b (k,n). */
  matmul(a: Variable, b: Variable): Variable {
    const out = this.output([a.shape[0], b.shape[1]], a.requiresGrad || b.requiresGrad);
    this.backend.matmul(out.value, a.value, b.value);
    this.record(() => {
      if (a.grad) this.backend.matmul(a.grad, out.grad!, b.value, { transB: true, accumulate: true });
      if (b.grad) this.backend.matmul(b.grad, a.value, out.grad!, { transA: true, accumulate: true });
    }, out.requiresGrad);
    return out;
  }

  /** The same values (and gradient) with another shape: no copy, no kernel, torch's `view`. */
  view(x: Variable, shape: readonly number[]): Variable {
    return new Variable(x.value.view(shape), x.grad?.view(shape) ?? null);
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
   * x @ w + b for x (…, in), w (in, out), b (out) → (…, out): the leading dimensions are folded into
   * rows (views, no copy). The bias is added in place to the product, which nothing else reads (the
   * matmul's backward needs x and w, not its output). Weights are (in, out) as in the notebook.
   */
  linear(x: Variable, w: Variable, b: Variable): Variable {
    const rows = x.shape.slice(0, -1);
    const out = this.matmul(x.shape.length === 2 ? x : this.view(x, [-1, x.shape[x.shape.length - 1]]), w);
    this.addBiasInPlace(out, b);
    return x.shape.length === 2 ? out : this.view(out, [...rows, w.shape[1]]);
  }

  /** LayerNorm of x (…, c) over its last dimension with gain (c) and, if given, bias (c); eps as nn.LayerNorm. */
  layerNorm(x: Variable, gain: Variable, bias?: Variable, eps = 1e-5): Variable {
    const rows = x.value.size / x.shape[x.shape.length - 1];
    const out = this.output(x.shape, x.requiresGrad || gain.requiresGrad || (bias?.requiresGrad ?? false));
    const [mean, rstd] = [this.slot([rows]), this.slot([rows])];
    this.backend.layernormForward(out.value, mean, rstd, x.value, gain.value, bias?.value ?? null, eps);
    if (this.recording && out.requiresGrad) {
      // The kernel writes every gradient at once: inputs without one get a scratch buffer.
      const dx = x.grad ?? this.zeroedSlot(x.shape);
      const dgain = gain.grad ?? this.zeroedSlot(gain.shape);
      const dbias = bias ? (bias.grad ?? this.zeroedSlot(bias.shape)) : null;
      this.record(() => this.backend.layernormBackward(dx, dgain, dbias, out.grad!, x.value, gain.value, mean, rstd), true);
    }
    return out;
  }

  /** Causal self-attention over qkv (B, T, 3C), the c_attn projection's output → (B, T, C); see Backend.attentionForward. */
  attention(qkv: Variable, heads: number): Variable {
    const [batch, t, c3] = qkv.shape;
    const out = this.output([batch, t, c3 / 3], qkv.requiresGrad);
    const att = this.slot([batch, heads, t, t]);
    this.backend.attentionForward(out.value, att, qkv.value, heads);
    this.record(() => this.backend.attentionBackward(qkv.grad!, out.grad!, qkv.value, att, heads), qkv.requiresGrad);
    return out;
  }

  /** a + b, same shapes (a residual connection). */
  add(a: Variable, b: Variable): Variable {
    const out = this.output(a.shape, a.requiresGrad || b.requiresGrad);
    this.backend.copy(out.value, a.value);
    this.backend.axpy(out.value, b.value, 1);
    this.record(() => {
      if (a.grad) this.backend.axpy(a.grad, out.grad!, 1);
      if (b.grad) this.backend.axpy(b.grad, out.grad!, 1);
    }, out.requiresGrad);
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
    this.backend.softmaxForward(probs, logits.value);
    return probs;
  }

  /** Runs the recorded backward kernels in reverse order, accumulating into every .grad. */
  backward(): void {
    if (!this.recording) throw new WasmgradError('backward: this tape does not record (evaluation mode). Fix: use a tape made with recording = true.');
    if (!this.lossSeeded) throw new WasmgradError('backward: no loss was computed on this tape since reset(). Fix: call crossEntropy(...) first.');
    for (let i = this.backwards.length - 1; i >= 0; i--) this.backwards[i]();
  }

  /** out += bias on every row, on an output whose value no recorded backward reads. */
  private addBiasInPlace(out: Variable, bias: Variable): void {
    if (this.recording && !out.requiresGrad && bias.requiresGrad) {
      throw new WasmgradError('the bias needs a gradient but the weight does not. Fix: use addBias(matmul(x, w), b).');
    }
    const rows = out.shape.length === 2 ? out.value : out.value.view([-1, out.shape[out.shape.length - 1]]);
    this.backend.biasForward(rows, bias.value);
    if (bias.requiresGrad) {
      const grad = out.shape.length === 2 ? out.grad! : out.grad!.view(rows.shape);
      this.record(() => this.backend.biasBackward(bias.grad!, grad), true);
    }
  }

  /** An output Variable from the slots; its gradient (zeroed) only when recording and needed. */
  private output(shape: readonly number[], requiresGrad: boolean): Variable {
    const value = this.slot(shape);
    if (!this.recording || !requiresGrad) return new Variable(value, null);
    return new Variable(value, this.zeroedSlot(shape));
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
