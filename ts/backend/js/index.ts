import { Backend } from '../backend.js';
import type { Tensor } from '../tensor.js';
import { ArrayBufferMemory } from './memory.js';
import * as activation from './activation.js';
import * as bias from './bias.js';
import * as embedding from './embedding.js';
import * as loss from './loss.js';
import { matmul } from './matmul.js';
import * as optim from './optim.js';
import { meanAbs } from './reduce.js';

const INITIAL_BYTES = 1 << 20;

/** The kernels in plain TypeScript over Float32Array: the readable reference, and the JS baseline. */
export class JsBackend extends Backend {
  readonly name = 'js' as const;

  constructor() {
    super(new ArrayBufferMemory(INITIAL_BYTES), 0);
  }

  protected matmulRaw(c: Tensor, a: Tensor, b: Tensor, m: number, k: number, n: number, transA: boolean, transB: boolean, accumulate: boolean) {
    matmul(c.f32(), a.f32(), b.f32(), m, k, n, transA, transB, accumulate);
  }
  protected biasForwardRaw(out: Tensor, b: Tensor, rows: number, cols: number) {
    bias.biasForward(out.f32(), b.f32(), rows, cols);
  }
  protected biasBackwardRaw(dbias: Tensor, dout: Tensor, rows: number, cols: number) {
    bias.biasBackward(dbias.f32(), dout.f32(), rows, cols);
  }
  protected geluForwardRaw(out: Tensor, inp: Tensor, n: number) {
    activation.geluForward(out.f32(), inp.f32(), n);
  }
  protected geluBackwardRaw(dinp: Tensor, inp: Tensor, _out: Tensor, dout: Tensor, n: number) {
    // The readable form recomputes gelu'(x) from x alone; the wasm kernels reuse out = gelu(x).
    activation.geluBackward(dinp.f32(), inp.f32(), dout.f32(), n);
  }
  protected softmaxXentForwardRaw(losses: Tensor | null, probs: Tensor, logits: Tensor, targets: Tensor, n: number, v: number) {
    return loss.softmaxXentForward(losses ? losses.f32() : null, probs.f32(), logits.f32(), targets.i32(), n, v);
  }
  protected softmaxXentBackwardRaw(dlogits: Tensor, dlosses: Tensor, probs: Tensor, targets: Tensor, n: number, v: number) {
    loss.softmaxXentBackward(dlogits.f32(), dlosses.f32(), probs.f32(), targets.i32(), n, v);
  }
  protected embeddingForwardRaw(out: Tensor, idx: Tensor, weight: Tensor, n: number, c: number) {
    embedding.embeddingForward(out.f32(), idx.i32(), weight.f32(), n, c);
  }
  protected embeddingBackwardRaw(dweight: Tensor, idx: Tensor, dout: Tensor, n: number, c: number) {
    embedding.embeddingBackward(dweight.f32(), idx.i32(), dout.f32(), n, c);
  }
  protected axpyRaw(y: Tensor, x: Tensor, n: number, alpha: number) {
    optim.axpy(y.f32(), x.f32(), n, alpha);
  }
  protected sgdStepRaw(param: Tensor, grad: Tensor, n: number, lr: number) {
    optim.sgdStep(param.f32(), grad.f32(), n, lr);
  }
  protected adamStepRaw(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, n: number, stepSize: number, beta1: number, beta2: number, eps: number, invSqrtBc2: number) {
    optim.adamStep(param.f32(), grad.f32(), m.f32(), v.f32(), n, stepSize, beta1, beta2, eps, invSqrtBc2);
  }
  protected meanAbsRaw(x: Tensor, n: number) {
    return meanAbs(x.f32(), n);
  }
}
