import type { Backend } from '../backend/backend.js';
import type { AttentionDropout } from '../backend/types.js';
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

  /** a @ bᵀ for a (m,k) and b (n,k): torch.nn.Linear's product with its (out, in) weight, and a tied lm_head. */
  matmulT(a: Variable, b: Variable): Variable {
    const out = this.output([a.shape[0], b.shape[0]], a.requiresGrad || b.requiresGrad);
    this.backend.matmul(out.value, a.value, b.value, { transB: true });
    this.record(() => {
      if (a.grad) this.backend.matmul(a.grad, out.grad!, b.value, { accumulate: true });
      if (b.grad) this.backend.matmul(b.grad, out.grad!, a.value, { transA: true, accumulate: true });
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
    return this.overRows(x, (rows) => this.matmul(rows, w), b);
  }

  /** torch.nn.Linear: x (…, in) @ weightᵀ + bias for weight (out, in) and, if given, bias (out) → (…, out). */
  linearT(x: Variable, weight: Variable, bias?: Variable): Variable {
    return this.overRows(x, (rows) => this.matmulT(rows, weight), bias);
  }

  /** `product` of x with its leading dimensions folded into rows (views, no copy), plus the bias in place. */
  private overRows(x: Variable, product: (rows: Variable) => Variable, bias?: Variable): Variable {
    const out = product(x.shape.length === 2 ? x : this.view(x, [-1, x.shape[x.shape.length - 1]]));
    if (bias) this.addBiasInPlace(out, bias);
    return x.shape.length === 2 ? out : this.view(out, [...x.shape.slice(0, -1), out.shape[1]]);
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

  /**
   * Causal self-attention over qkv (B, T, 3C), the c_attn projection's output → (B, T, C), with
   * dropout on its weights if given; see Backend.attentionForward.
   */
  attention(qkv: Variable, heads: number, dropout?: AttentionDropout): Variable {
    const [batch, t, c3] = qkv.shape;
    const out = this.output([batch, t, c3 / 3], qkv.requiresGrad);
    const att = this.slot([batch, heads, t, t]);
    this.backend.attentionForward(out.value, att, qkv.value, heads, dropout);
    this.record(() => this.backend.attentionBackward(qkv.grad!, out.grad!, qkv.value, att, heads, dropout), qkv.requiresGrad);
    return out;
  }

  /**
   * Attention's output at the last position of one sequence qkv (1, T, 3C) → (1, 1, C), without
   * gradient: a KV-cached decoder's step, where qkv is the cache (see Backend.attentionLast).
   */
  attentionLast(qkv: Tensor, heads: number): Variable {
    const out = this.output([1, 1, qkv.shape[2] / 3], false);
    this.backend.attentionLast(out.value, qkv, heads);
    return out;
  }

  /**
   * a + b: the same shapes (a residual connection), or b's shape the last dimensions of a's, b then
   * added to each of a's leading slices (torch's broadcasting: token + position embeddings).
   */
  add(a: Variable, b: Variable): Variable {
    const same = a.shape.length === b.shape.length;
    const suffix = a.shape.slice(a.shape.length - b.shape.length);
    if (b.shape.length > a.shape.length || suffix.some((d, i) => d !== b.shape[i])) {
      throw new WasmgradError(`add: b ${formatShape(b.shape)} is neither the shape of a ${formatShape(a.shape)} nor its last dimensions. Fix: view b to a's shape or to its trailing dimensions.`);
    }
    const out = this.output(a.shape, a.requiresGrad || b.requiresGrad);
    this.backend.copy(out.value, a.value);
    // Broadcast: a as rows of b.size, b as a bias over them (one kernel forward, a column sum backward).
    const rows = (t: Tensor) => t.view([-1, b.value.size]);
    if (same) this.backend.axpy(out.value, b.value, 1);
    else this.backend.biasForward(rows(out.value), b.value.view([b.value.size]));
    this.record(() => {
      if (a.grad) this.backend.axpy(a.grad, out.grad!, 1);
      if (b.grad && same) this.backend.axpy(b.grad, out.grad!, 1);
      else if (b.grad) this.backend.biasBackward(b.grad.view([b.value.size]), rows(out.grad!));
    }, out.requiresGrad);
    return out;
  }

  /**
   * Dropout (nn.Dropout in training mode): each element zeroed with probability p, the rest scaled by
   * 1/(1 - p), the mask a hash of (seed, element) that the backward recomputes. p = 0 is x itself.
   */
  dropout(x: Variable, p: number, seed: number): Variable {
    if (p === 0) return x;
    const out = this.output(x.shape, x.requiresGrad);
    this.backend.dropoutForward(out.value, x.value, p, seed);
    this.record(() => this.backend.dropoutBackward(x.grad!, out.grad!, p, seed), x.requiresGrad);
    return out;
  }

  /** The positions 0, 1, …, n - 1 as an i32 tensor (n): the indices of a position embedding. */
  positions(n: number): Tensor {
    const t = this.slot([n], 'i32');
    const p = t.i32();
    for (let i = 0; i < n; i++) p[i] = i;
    return t;
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
