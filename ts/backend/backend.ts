import { Arena, type GrowableMemory } from './arena.js';
import { WasmgradError } from './errors.js';
import { SHARED_KERNEL_INDEX, type Kernels, type SharedKernelArgs, type SharedKernelName } from './kernels.js';
import { formatShape, Tensor, type DType } from './tensor.js';
import type { AdamOptions, AttentionDropout, BackendName, MatmulOptions } from './types.js';

const NO_DROPOUT: AttentionDropout = { p: 0, seed: 0 };
import { KernelArgs } from './validate.js';

/** What an implementation (js/, wasm/) gives the Backend: its memory and its kernels over it. */
export interface BackendParts {
  memory: GrowableMemory;
  /** The first byte tensors may use; 0 stays the null pointer. */
  heapBase: number;
  kernels: Kernels;
  /** Scratch bytes one thread's share of a matmul needs (0: none). */
  matmulWorkspaceBytes: number;
  /** The threads that share kernels with this one (absent: this thread alone). */
  threads?: KernelThreads;
}

/** A pool of threads on the backend's memory, this thread included (wasm/pool.ts). */
export interface KernelThreads {
  /** Threads in all, this one included. */
  readonly count: number;
  /** Runs SHARED_KERNELS[kernel](...args, part, parts) for every part, each on whichever thread is free. */
  run(kernel: number, args: readonly number[], parts: number): void;
  dispose(): void;
}

/**
 * Work (about one multiply-add or one element's update per unit) below which one more thread costs
 * more to wake than it saves: a share is at least this much.
 */
const MIN_WORK_PER_THREAD = 32768;

/**
 * The kernels behind one interface. Public methods validate their arguments (shapes, dtypes,
 * ownership, index ranges) and then call the implementation's kernel with byte offsets and plain
 * dimensions; the kernels (the wasm module's exports, or their JS twins) only compute. Tensors live
 * in an Arena over the backend's memory.
 *
 * Conventions (llm.c's): outputs first; backward kernels accumulate into gradients (`+=`), so the
 * trainer zeroes gradients once per step; forward kernels overwrite their outputs.
 */
export abstract class Backend {
  abstract readonly name: BackendName;
  protected readonly arena: Arena;
  protected readonly memory: GrowableMemory;
  // Private, so that wasm-bindgen's generated types stay out of the published declarations.
  private readonly kernels: Kernels;
  /** Scratch for matmul's packed panels, one set per thread, allocated once and reused by every call. */
  private readonly matmulWorkspace: number;
  /** Kernel scratch, grown as needed (see scratch()). */
  private scratchSpace = { offset: 0, floats: 0 };
  private threads: KernelThreads | undefined;

  constructor(parts: BackendParts) {
    this.memory = parts.memory;
    this.kernels = parts.kernels;
    this.threads = parts.threads;
    this.arena = new Arena(parts.memory, Math.max(parts.heapBase, 1));
    this.matmulWorkspace = parts.matmulWorkspaceBytes > 0 ? this.arena.alloc(parts.matmulWorkspaceBytes * this.threadCount) : 0;
  }

  /** Threads the kernels run on, this one included. */
  get threadCount(): number {
    return this.threads?.count ?? 1;
  }

  /** Ends the backend's worker threads (if any); its tensors stay readable, its kernels run on this thread. */
  dispose(): void {
    this.threads?.dispose();
    this.threads = undefined;
  }

  /** A call divided over every thread with nothing to do (axpy of 0 elements): what the benchmark times as dispatch. */
  emptySharedCall(): void {
    this.threads?.run(SHARED_KERNEL_INDEX.axpy, [0, 0, 0, 0], this.threads.count);
  }

  /** How many threads share a kernel call of this much work (see MIN_WORK_PER_THREAD). */
  private partsFor(work: number): number {
    if (!this.threads) return 1;
    return Math.max(1, Math.min(this.threads.count, Math.floor(work / MIN_WORK_PER_THREAD)));
  }

  /** Runs a shared kernel on as many threads as its work is worth; the same bits for any number. */
  private shared<K extends SharedKernelName>(name: K, work: number, ...args: SharedKernelArgs<K>): void {
    const parts = this.partsFor(work);
    if (parts === 1) (this.kernels[name] as (...a: number[]) => void)(...(args as number[]), 0, 1);
    else this.threads!.run(SHARED_KERNEL_INDEX[name], args as number[], parts);
  }

  /** The buffer tensors view; a new object after memory growth. */
  memoryBuffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  /** Bytes held by live tensors (and kernel workspace). */
  get bytesInUse(): number {
    return this.arena.bytesInUse;
  }

  // ---- tensors ------------------------------------------------------------------------------

  /** A zero-filled tensor. */
  tensor(shape: readonly number[], dtype: DType = 'f32'): Tensor {
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new WasmgradError(`tensor: shape ${JSON.stringify(shape)} is invalid. Fix: use an array of non-negative integers.`);
    }
    if (dtype !== 'f32' && dtype !== 'i32') throw new WasmgradError(`tensor: unknown dtype '${dtype}'. Fix: use 'f32' or 'i32'.`);
    const size = shape.reduce((a, b) => a * b, 1);
    const tensor = new Tensor(this, [...shape], dtype, this.arena.alloc(size * 4));
    tensor.data().fill(0);
    return tensor;
  }

  /** A tensor holding `data` (checked: length, and integers for i32). */
  fromArray(shape: readonly number[], data: ArrayLike<number>, dtype: DType = 'f32'): Tensor {
    const t = this.tensor(shape, dtype);
    try {
      this.write(t, data);
    } catch (e) {
      t.dispose();
      throw e;
    }
    return t;
  }

  /** Copies `data` into `t`. */
  write(t: Tensor, data: ArrayLike<number>): void {
    const args = new KernelArgs(this, 'write').tensor('t', t, t.dtype, t.shape.length);
    if (data.length !== t.size) args.fail(`data has ${data.length} values but t has ${t.size}`, `pass exactly ${t.size} values`);
    if (t.dtype === 'i32') {
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
          args.fail(`data[${i}] = ${v} is not a 32-bit integer`, 'index tensors hold whole numbers');
        }
      }
    }
    t.data().set(data);
  }

  /** Sets every element of `t` to zero (gradients before a step). */
  zero(t: Tensor): void {
    new KernelArgs(this, 'zero').tensor('t', t, t.dtype, t.shape.length);
    this.shared('zero', t.size, t.offset, t.size);
  }

  /** dst = src (same shape and dtype). */
  copy(dst: Tensor, src: Tensor): void {
    const args = new KernelArgs(this, 'copy').tensor('dst', dst, src.dtype, dst.shape.length).tensor('src', src, src.dtype, src.shape.length);
    args.shape('dst', dst, src.shape, 'dst has the shape of src').distinct('dst', dst, 'src', src);
    this.shared('copy', dst.size, dst.offset, src.offset, src.size);
  }

  /** Called by Tensor.dispose(). */
  release(t: Tensor): void {
    this.arena.release(t.offset);
  }

  // ---- kernels ------------------------------------------------------------------------------

  /**
   * c (m,n) (+)= op(a) @ op(b), op(a) (m,k), op(b) (k,n); see MatmulOptions. With a batch dimension,
   * c (batch,m,n) holds one product per batch entry: a and b are (batch, …), or one of them is 2-D
   * and shared by every product (a weight applied to each sequence, as attention's heads need).
   */
  matmul(c: Tensor, a: Tensor, b: Tensor, options: MatmulOptions = {}): void {
    const { transA = false, transB = false, accumulate = false } = options;
    const args = new KernelArgs(this, `matmul(transA=${transA}, transB=${transB})`);
    const batched = c.shape.length === 3;
    args.tensor('c', c, 'f32', batched ? 3 : 2).tensor('a', a, 'f32', batched && a.shape.length === 3 ? 3 : 2).tensor('b', b, 'f32', batched && b.shape.length === 3 ? 3 : 2);
    const matrix = (t: Tensor) => (t.shape.length === 3 ? t.shape.slice(1) : t.shape);
    const [ar, ac] = matrix(a);
    const [br, bc] = matrix(b);
    const [m, ka] = transA ? [ac, ar] : [ar, ac];
    const [kb, n] = transB ? [bc, br] : [br, bc];
    if (ka !== kb) {
      args.fail(
        `op(a) is ${formatShape([m, ka])} but op(b) is ${formatShape([kb, n])}: inner dimensions ${ka} and ${kb} differ`,
        'op(a) must be (m,k) and op(b) (k,n); check the transpose flags',
      );
    }
    args.distinct('c', c, 'a', a).distinct('c', c, 'b', b);
    if (!batched) {
      args.shape('c', c, [m, n], 'c must be (m,n) = (rows of op(a), columns of op(b))');
      this.shared('matmul', m * ka * n, c.offset, a.offset, b.offset, m, ka, n, +transA, +transB, +accumulate, this.matmulWorkspace);
      return;
    }
    const batch = c.shape[0];
    if (a.shape.length === 2 && b.shape.length === 2) args.fail('c is 3-D but neither a nor b has a batch dimension', 'make c 2-D, or give a or b a batch dimension');
    for (const [name, t] of [['a', a], ['b', b]] as const) {
      if (t.shape.length === 3 && t.shape[0] !== batch) args.fail(`${name} has a batch of ${t.shape[0]} but c of ${batch}`, 'give a, b and c the same batch size');
    }
    args.shape('c', c, [batch, m, n], 'c must be (batch,m,n) = (batch, rows of op(a), columns of op(b))');
    const strideA = a.shape.length === 3 ? m * ka : 0;
    const strideB = b.shape.length === 3 ? ka * n : 0;
    this.shared('matmul_batched', batch * m * ka * n, c.offset, a.offset, b.offset, batch, m, ka, n, strideA, strideB, +transA, +transB, +accumulate, this.matmulWorkspace);
  }

  /** out (rows,cols) += bias (cols), in place. */
  biasForward(out: Tensor, bias: Tensor): void {
    const args = new KernelArgs(this, 'biasForward').tensor('out', out, 'f32', 2).tensor('bias', bias, 'f32', 1);
    args.shape('bias', bias, [out.shape[1]], 'bias has one value per column of out').distinct('out', out, 'bias', bias);
    this.shared('bias_forward', out.size, out.offset, bias.offset, out.shape[0], out.shape[1]);
  }

  /** dbias (cols) += column sums of dout (rows,cols). */
  biasBackward(dbias: Tensor, dout: Tensor): void {
    const args = new KernelArgs(this, 'biasBackward').tensor('dbias', dbias, 'f32', 1).tensor('dout', dout, 'f32', 2);
    args.shape('dbias', dbias, [dout.shape[1]], 'dbias has one value per column of dout').distinct('dbias', dbias, 'dout', dout);
    this.shared('bias_backward', dout.size, dbias.offset, dout.offset, dout.shape[0], dout.shape[1]);
  }

  /**
   * LayerNorm over the last dimension (nn.LayerNorm's: population variance, eps inside the root):
   * out (…,c) = (inp - μ)/√(var + eps)·weight + bias, and per row mean (rows) = μ, rstd (rows) =
   * 1/√(var + eps) for the backward. Without bias, none is added (nanoGPT's bias=False).
   */
  layernormForward(out: Tensor, mean: Tensor, rstd: Tensor, inp: Tensor, weight: Tensor, bias: Tensor | null, eps = 1e-5): void {
    const args = new KernelArgs(this, 'layernormForward').tensor('inp', inp, 'f32', inp.shape.length).tensor('out', out, 'f32', out.shape.length);
    const c = inp.shape[inp.shape.length - 1];
    const rows = inp.size / Math.max(c, 1);
    args.positive('rank of inp', inp.shape.length).positive('last dimension of inp', c);
    args.shape('out', out, inp.shape, 'out has the shape of inp').distinct('out', out, 'inp', inp);
    for (const [name, t] of [['mean', mean], ['rstd', rstd]] as const) {
      args.tensor(name, t, 'f32', 1).shape(name, t, [rows], `${name} has one value per row of inp`).distinct(name, t, 'inp', inp).distinct(name, t, 'out', out);
    }
    args.distinct('mean', mean, 'rstd', rstd);
    args.tensor('weight', weight, 'f32', 1).shape('weight', weight, [c], 'weight has one value per column of inp');
    if (bias !== null) args.tensor('bias', bias, 'f32', 1).shape('bias', bias, [c], 'bias has one value per column of inp');
    args.distinct('out', out, 'weight', weight).finite('eps', eps);
    if (!(eps > 0)) args.fail(`eps is ${eps} but must be positive`, 'use e.g. 1e-5, as nn.LayerNorm does');
    this.shared('layernorm_forward', 8 * inp.size, out.offset, mean.offset, rstd.offset, inp.offset, weight.offset, bias ? bias.offset : 0, rows, c, eps);
  }

  /** dinp (…,c), dweight (c) and dbias (c), if given, += the gradients of layernormForward given dout. */
  layernormBackward(dinp: Tensor, dweight: Tensor, dbias: Tensor | null, dout: Tensor, inp: Tensor, weight: Tensor, mean: Tensor, rstd: Tensor): void {
    const args = new KernelArgs(this, 'layernormBackward').tensor('inp', inp, 'f32', inp.shape.length);
    const c = inp.shape[inp.shape.length - 1];
    const rows = inp.size / Math.max(c, 1);
    args.positive('rank of inp', inp.shape.length).positive('last dimension of inp', c);
    for (const [name, t] of [['dinp', dinp], ['dout', dout]] as const) args.tensor(name, t, 'f32', inp.shape.length).shape(name, t, inp.shape, `${name} has the shape of inp`);
    for (const [name, t] of [['dweight', dweight], ['weight', weight], ...(dbias ? [['dbias', dbias] as const] : [])] as const) {
      args.tensor(name, t, 'f32', 1).shape(name, t, [c], `${name} has one value per column of inp`);
    }
    for (const [name, t] of [['mean', mean], ['rstd', rstd]] as const) args.tensor(name, t, 'f32', 1).shape(name, t, [rows], `${name} has one value per row of inp`);
    args.distinct('dinp', dinp, 'dout', dout).distinct('dinp', dinp, 'inp', inp).distinct('dweight', dweight, 'dinp', dinp);
    if (dbias) args.distinct('dbias', dbias, 'dweight', dweight).distinct('dbias', dbias, 'dinp', dinp);
    this.shared('layernorm_backward', 12 * inp.size, dinp.offset, dweight.offset, dbias ? dbias.offset : 0, dout.offset, inp.offset, weight.offset, mean.offset, rstd.offset, rows, c);
  }

  /**
   * Causal multi-head self-attention, as nanoGPT's CausalSelfAttention between c_attn and c_proj:
   * qkv (B,T,3C) holds q, k and v side by side (head h: columns h·C/heads … of each); out (B,T,C) =
   * dropout(softmax(q·kᵀ/√(C/heads), causal))·v per head; att (B,heads,T,T) keeps the weights (before
   * dropout) for the backward. Weight (b,h,i,j) is element ((b·heads+h)·T+i)·T+j of the mask that
   * dropoutForward would draw with that seed over att; p = 0 (the default) drops nothing.
   */
  attentionForward(out: Tensor, att: Tensor, qkv: Tensor, heads: number, dropout: AttentionDropout = NO_DROPOUT): void {
    const args = new KernelArgs(this, 'attentionForward').tensor('qkv', qkv, 'f32', 3).tensor('out', out, 'f32', 3).tensor('att', att, 'f32', 4);
    const [batch, t, c] = this.attentionShape(args, qkv, heads);
    args.shape('out', out, [batch, t, c], 'out is (B,T,C) for qkv (B,T,3C)').shape('att', att, [batch, heads, t, t], 'att is (B,heads,T,T)');
    args.distinct('out', out, 'qkv', qkv).distinct('att', att, 'qkv', qkv).distinct('att', att, 'out', out);
    const [threshold, scale] = this.dropoutMask(args, dropout.p, dropout.seed);
    this.shared('attention_forward', batch * t * t * c, out.offset, att.offset, qkv.offset, batch, t, c, heads, dropout.seed, threshold, scale);
  }

  /**
   * attentionForward's output at the last position alone: out (1,1,C) for one sequence qkv (1,T,3C),
   * the same bits as row T-1 of the full pass (a KV-cached decoder's step: qkv is its cache).
   */
  attentionLast(out: Tensor, qkv: Tensor, heads: number): void {
    const args = new KernelArgs(this, 'attentionLast').tensor('qkv', qkv, 'f32', 3).tensor('out', out, 'f32', 3);
    const [batch, t, c] = this.attentionShape(args, qkv, heads);
    if (batch !== 1) args.fail(`qkv holds ${batch} sequences`, 'pass one sequence, (1,T,3C)');
    args.shape('out', out, [1, 1, c], 'out is (1,1,C) for qkv (1,T,3C)').distinct('out', out, 'qkv', qkv);
    this.kernels.attention_last(out.offset, qkv.offset, t, c, heads, this.scratch(t));
  }

  /** dqkv (B,T,3C) += the gradient of attentionForward (with the same dropout) given dout (B,T,C), its qkv and att. */
  attentionBackward(dqkv: Tensor, dout: Tensor, qkv: Tensor, att: Tensor, heads: number, dropout: AttentionDropout = NO_DROPOUT): void {
    const args = new KernelArgs(this, 'attentionBackward').tensor('qkv', qkv, 'f32', 3).tensor('dqkv', dqkv, 'f32', 3).tensor('dout', dout, 'f32', 3).tensor('att', att, 'f32', 4);
    const [batch, t, c] = this.attentionShape(args, qkv, heads);
    args.shape('dqkv', dqkv, qkv.shape, 'dqkv has the shape of qkv').shape('dout', dout, [batch, t, c], 'dout is (B,T,C)').shape('att', att, [batch, heads, t, t], 'att is (B,heads,T,T)');
    args.distinct('dqkv', dqkv, 'qkv', qkv).distinct('dqkv', dqkv, 'dout', dout).distinct('dqkv', dqkv, 'att', att);
    const [threshold, scale] = this.dropoutMask(args, dropout.p, dropout.seed);
    this.shared('attention_backward', 2 * batch * t * t * c, dqkv.offset, dout.offset, qkv.offset, att.offset, batch, t, c, heads, dropout.seed, threshold, scale, this.scratch(t * this.threadCount));
  }

  /**
   * Scratch for one kernel call, at least `floats` floats, grown as needed: the byte offset. Calls
   * never overlap, so one buffer serves them all: attention's rows of weight gradients (one per
   * thread), a divided softmax-xent's per-row losses.
   */
  private scratch(floats: number): number {
    if (this.scratchSpace.floats < floats) {
      if (this.scratchSpace.floats > 0) this.arena.release(this.scratchSpace.offset);
      this.scratchSpace = { offset: this.arena.alloc(4 * floats), floats };
    }
    return this.scratchSpace.offset;
  }

  /** (B, T, C) of a (B, T, 3C) qkv, checked against the number of heads. */
  private attentionShape(args: KernelArgs, qkv: Tensor, heads: number): [number, number, number] {
    const [batch, t, c3] = qkv.shape;
    args.positive('heads', heads).positive('T', t);
    if (c3 % 3 !== 0 || (c3 / 3) % heads !== 0) {
      args.fail(`qkv's last dimension ${c3} is not 3·C with C divisible by ${heads} heads`, 'qkv is the c_attn output (B,T,3C) and C a multiple of the number of heads');
    }
    return [batch, t, c3 / 3];
  }

  /**
   * Dropout with probability p: out = inp/(1 - p) where a hash of (seed, element) keeps it, else 0.
   * The mask is never stored: dropoutBackward with the same seed and p recomputes it, and every
   * backend (and every partition over threads) draws the same one. out may be inp.
   */
  dropoutForward(out: Tensor, inp: Tensor, p: number, seed: number): void {
    const args = new KernelArgs(this, 'dropoutForward').tensor('out', out, 'f32', out.shape.length).tensor('inp', inp, 'f32', inp.shape.length);
    args.shape('out', out, inp.shape, 'out has the shape of inp');
    if (out.offset !== inp.offset) args.distinct('out', out, 'inp', inp);
    const [threshold, scale] = this.dropoutMask(args, p, seed);
    this.shared('dropout_forward', inp.size, out.offset, inp.offset, inp.size, seed, threshold, scale);
  }

  /** dinp += dout/(1 - p) where dropoutForward with this seed and p kept the element. */
  dropoutBackward(dinp: Tensor, dout: Tensor, p: number, seed: number): void {
    const args = new KernelArgs(this, 'dropoutBackward').tensor('dinp', dinp, 'f32', dinp.shape.length).tensor('dout', dout, 'f32', dout.shape.length);
    args.shape('dout', dout, dinp.shape, 'dout has the shape of dinp').distinct('dinp', dinp, 'dout', dout);
    const [threshold, scale] = this.dropoutMask(args, p, seed);
    this.shared('dropout_backward', dinp.size, dinp.offset, dout.offset, dinp.size, seed, threshold, scale);
  }

  /** The kernel's threshold (p·2^32) and scale (1/(1 - p)), after checking p and the seed. */
  private dropoutMask(args: KernelArgs, p: number, seed: number): [number, number] {
    if (!(typeof p === 'number' && p >= 0 && p < 1)) args.fail(`p is ${p} but must be in [0, 1)`, 'use e.g. 0.2, or 0 for no dropout');
    if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) args.fail(`seed is ${seed} but must be an integer in [0, 2^32)`, 'draw it with Rng.int(2 ** 32)');
    return [Math.min(Math.round(p * 2 ** 32), 0xffffffff), 1 / (1 - p)];
  }

  /** out = gelu(inp), exact erf form; out may be inp (in place). */
  geluForward(out: Tensor, inp: Tensor): void {
    const args = new KernelArgs(this, 'geluForward').tensor('out', out, 'f32', out.shape.length).tensor('inp', inp, 'f32', inp.shape.length);
    args.shape('out', out, inp.shape, 'out has the shape of inp');
    if (out.offset !== inp.offset) args.distinct('out', out, 'inp', inp);
    this.shared('gelu_forward', 16 * inp.size, out.offset, inp.offset, inp.size);
  }

  /** dinp += gelu'(inp) · dout, where out = gelu(inp) is the forward's output (kernels reuse it). */
  geluBackward(dinp: Tensor, inp: Tensor, out: Tensor, dout: Tensor): void {
    const args = new KernelArgs(this, 'geluBackward')
      .tensor('dinp', dinp, 'f32', dinp.shape.length)
      .tensor('inp', inp, 'f32', inp.shape.length)
      .tensor('out', out, 'f32', out.shape.length)
      .tensor('dout', dout, 'f32', dout.shape.length);
    args.shape('dinp', dinp, inp.shape, 'dinp has the shape of inp').shape('out', out, inp.shape, 'out has the shape of inp');
    args.shape('dout', dout, inp.shape, 'dout has the shape of inp');
    args.distinct('dinp', dinp, 'inp', inp).distinct('dinp', dinp, 'out', out);
    if (dinp.offset !== dout.offset) args.distinct('dinp', dinp, 'dout', dout);
    this.shared('gelu_backward', 16 * inp.size, dinp.offset, inp.offset, out.offset, dout.offset, inp.size);
  }

  /**
   * probs (n,v) = softmax(logits (n,v)); losses (n), if given, = -log probs[i, targets[i]].
   * Returns the mean loss.
   */
  softmaxXentForward(probs: Tensor, logits: Tensor, targets: Tensor, losses?: Tensor): number {
    const args = new KernelArgs(this, 'softmaxXentForward')
      .tensor('probs', probs, 'f32', 2)
      .tensor('logits', logits, 'f32', 2)
      .tensor('targets', targets, 'i32', 1);
    const [n, v] = logits.shape;
    args.positive('rows of logits', n).positive('columns of logits', v);
    args.shape('probs', probs, logits.shape, 'probs has the shape of logits');
    args.shape('targets', targets, [n], 'one target per row of logits');
    args.distinct('probs', probs, 'logits', logits);
    if (losses !== undefined) {
      args.tensor('losses', losses, 'f32', 1).shape('losses', losses, [n], 'one loss per row of logits');
      args.distinct('losses', losses, 'logits', logits).distinct('losses', losses, 'probs', probs);
    }
    args.indices('targets', targets, v, 'class (column of logits)');
    const parts = this.partsFor(8 * logits.size);
    if (parts === 1) return this.kernels.softmax_xent_forward(losses ? losses.offset : 0, probs.offset, logits.offset, targets.offset, n, v, 0, 1);
    // Each part returns its own rows' sum; the mean is the per-row losses summed in row order in
    // float64, exactly as one part sums them.
    const lossesOffset = losses ? losses.offset : this.scratch(n);
    this.threads!.run(SHARED_KERNEL_INDEX.softmax_xent_forward, [lossesOffset, probs.offset, logits.offset, targets.offset, n, v], parts);
    let total = 0;
    for (const loss of new Float32Array(this.memory.buffer, lossesOffset, n)) total += loss;
    return Math.fround(total / n);
  }

  /** probs (n,v) = softmax of each row of logits (n,v), max-subtracted (sampling, statistics). */
  softmaxForward(probs: Tensor, logits: Tensor): void {
    const args = new KernelArgs(this, 'softmaxForward').tensor('probs', probs, 'f32', 2).tensor('logits', logits, 'f32', 2);
    const [n, v] = logits.shape;
    args.positive('columns of logits', v);
    args.shape('probs', probs, logits.shape, 'probs has the shape of logits').distinct('probs', probs, 'logits', logits);
    this.shared('softmax_forward', 8 * logits.size, probs.offset, logits.offset, n, v);
  }

  /** dlogits (n,v) += (probs - onehot(targets)) · dlosses; dlosses (n) is 1/n for a mean loss. */
  softmaxXentBackward(dlogits: Tensor, dlosses: Tensor, probs: Tensor, targets: Tensor): void {
    const args = new KernelArgs(this, 'softmaxXentBackward')
      .tensor('dlogits', dlogits, 'f32', 2)
      .tensor('dlosses', dlosses, 'f32', 1)
      .tensor('probs', probs, 'f32', 2)
      .tensor('targets', targets, 'i32', 1);
    const [n, v] = probs.shape;
    args.shape('dlogits', dlogits, probs.shape, 'dlogits has the shape of probs');
    args.shape('dlosses', dlosses, [n], 'one loss gradient per row').shape('targets', targets, [n], 'one target per row');
    args.distinct('dlogits', dlogits, 'probs', probs).distinct('dlogits', dlogits, 'dlosses', dlosses);
    args.indices('targets', targets, v, 'class (column of probs)');
    this.shared('softmax_xent_backward', probs.size, dlogits.offset, dlosses.offset, probs.offset, targets.offset, n, v);
  }

  /** out (…,c) = weight (rows,c)[idx (…)]: one_hot(idx) @ weight without the one-hot, for indices of any shape. */
  embeddingForward(out: Tensor, idx: Tensor, weight: Tensor): void {
    const args = new KernelArgs(this, 'embeddingForward')
      .tensor('out', out, 'f32', idx.shape.length + 1)
      .tensor('idx', idx, 'i32', idx.shape.length)
      .tensor('weight', weight, 'f32', 2);
    const [rows, c] = weight.shape;
    args.positive('rank of idx', idx.shape.length);
    args.shape('out', out, [...idx.shape, c], 'out has one row per index, as wide as weight');
    args.distinct('out', out, 'weight', weight);
    args.indices('idx', idx, rows, 'row of weight');
    this.shared('embedding_forward', out.size, out.offset, idx.offset, weight.offset, idx.size, c);
  }

  /** dweight[idx[i]] += dout[i] for indices of any shape; repeated indices add up. */
  embeddingBackward(dweight: Tensor, idx: Tensor, dout: Tensor): void {
    const args = new KernelArgs(this, 'embeddingBackward')
      .tensor('dweight', dweight, 'f32', 2)
      .tensor('idx', idx, 'i32', idx.shape.length)
      .tensor('dout', dout, 'f32', idx.shape.length + 1);
    const [rows, c] = dweight.shape;
    args.positive('rank of idx', idx.shape.length);
    args.shape('dout', dout, [...idx.shape, c], 'dout has one row per index, as wide as dweight');
    args.distinct('dweight', dweight, 'dout', dout);
    args.indices('idx', idx, rows, 'row of dweight');
    this.shared('embedding_backward', dout.size, dweight.offset, idx.offset, dout.offset, idx.size, c);
  }

  /** y += alpha · x. */
  axpy(y: Tensor, x: Tensor, alpha: number): void {
    const args = new KernelArgs(this, 'axpy').tensor('y', y, 'f32', y.shape.length).tensor('x', x, 'f32', x.shape.length);
    args.shape('x', x, y.shape, 'x has the shape of y').finite('alpha', alpha).distinct('y', y, 'x', x);
    this.shared('axpy', y.size, y.offset, x.offset, y.size, alpha);
  }

  /** param -= lr · grad. */
  sgdStep(param: Tensor, grad: Tensor, lr: number): void {
    const args = new KernelArgs(this, 'sgdStep').tensor('param', param, 'f32', param.shape.length).tensor('grad', grad, 'f32', grad.shape.length);
    args.shape('grad', grad, param.shape, 'grad has the shape of param').finite('lr', lr).distinct('param', param, 'grad', grad);
    this.shared('sgd_step', param.size, param.offset, grad.offset, param.size, lr);
  }

  /** One Adam (or AdamW) update of param, with moment estimates m and v (zero before the first step). */
  adamStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, options: AdamOptions): void {
    const { lr, beta1, beta2, eps, step, weightDecay = 0, gradScale = 1 } = options;
    const args = new KernelArgs(this, 'adamStep');
    for (const [name, t] of [['param', param], ['grad', grad], ['m', m], ['v', v]] as const) {
      args.tensor(name, t, 'f32', t.shape.length).shape(name, t, param.shape, `${name} has the shape of param`);
    }
    args.distinct('param', param, 'grad', grad).distinct('param', param, 'm', m).distinct('param', param, 'v', v).distinct('m', m, 'v', v);
    args.finite('lr', lr).finite('eps', eps).positive('step', step).finite('weightDecay', weightDecay).finite('gradScale', gradScale);
    if (weightDecay < 0) args.fail(`weightDecay is ${weightDecay} but must be ≥ 0`, 'use e.g. 0.1, or 0 for Adam');
    for (const [name, beta] of [['beta1', beta1], ['beta2', beta2]] as const) {
      if (!(beta >= 0 && beta < 1)) args.fail(`${name} is ${beta} but must be in [0, 1)`, `use e.g. ${name === 'beta1' ? 0.9 : 0.999}`);
    }
    // Bias corrections and 1 - β in float64 here, once, rather than per element in f32 in the kernel.
    const stepSize = lr / (1 - beta1 ** step);
    const invSqrtBc2 = 1 / Math.sqrt(1 - beta2 ** step);
    this.shared('adam_step', 8 * param.size, param.offset, grad.offset, m.offset, v.offset, param.size, stepSize, beta1, beta2, 1 - beta1, 1 - beta2, eps, invSqrtBc2, 1 - lr * weightDecay, gradScale);
  }

  /** Σ x² over every element (global gradient-norm clipping adds these up). */
  sumSquares(x: Tensor): number {
    new KernelArgs(this, 'sumSquares').tensor('x', x, 'f32', x.shape.length);
    return this.kernels.sum_squares(x.offset, x.size);
  }

  /** mean |x|, the notebook's activation statistic. */
  meanAbs(x: Tensor): number {
    new KernelArgs(this, 'meanAbs').tensor('x', x, 'f32', x.shape.length).positive('size of x', x.size);
    return this.kernels.mean_abs(x.offset, x.size);
  }
}
