import type { Kernels } from '../kernels.js';
import { dropoutHash } from './dropout.js';
import type { Views } from './memory.js';

/** Dropout on the attention weights, as crate/src/attention.rs's AttnDropout: element index of att kept when its hash ≥ threshold. */
interface AttnDropout {
  seed: number;
  threshold: number;
  scale: number;
}
const NO_DROPOUT: AttnDropout = { seed: 0, threshold: 0, scale: 1 };
const dropWeight = (d: AttnDropout, w: number, index: number) => (dropoutHash(d.seed, index) >= d.threshold ? w * d.scale : 0);

const { exp, max, sqrt } = Math;

/** crate/src/attention.rs in plain TypeScript: causal self-attention read in place from (B, T, 3C). */
export const attentionKernels = (mem: Views) =>
  ({
    /** out (B,T,C) = softmax(q·kᵀ/√hs, causal)·v per head; att (B,heads,T,T) keeps the weights. */
    attention_forward(outPtr: number, attPtr: number, qkvPtr: number, batch: number, t: number, c: number, heads: number, seed: number, threshold: number, keepScale: number, _part: number, _parts: number): void {
      const out = mem.f32(outPtr, batch * t * c);
      const att = mem.f32(attPtr, batch * heads * t * t);
      const qkv = mem.f32(qkvPtr, batch * t * 3 * c);
      for (let b = 0; b < batch; b++) {
        for (let h = 0; h < heads; h++) {
          for (let i = 0; i < t; i++) {
            const row = ((b * heads + h) * t + i) * t;
            position(out, (b * t + i) * c, att, row, qkv, b * t * 3 * c, i, c, heads, h, { seed, threshold, scale: keepScale });
            att.fill(0, row + i + 1, row + t);
          }
        }
      }
    },

    /** attention_forward's output at the last position alone, for one sequence qkv (t, 3C) → out (C); the workspace is t floats. */
    attention_last(outPtr: number, qkvPtr: number, t: number, c: number, heads: number, workspacePtr: number): void {
      const out = mem.f32(outPtr, c);
      const qkv = mem.f32(qkvPtr, t * 3 * c);
      const row = mem.f32(workspacePtr, t);
      for (let h = 0; h < heads; h++) position(out, 0, row, 0, qkv, 0, t - 1, c, heads, h, NO_DROPOUT);
    },

    /** dqkv (B,T,3C) += the gradient of attention_forward given dout (B,T,C); the workspace is T floats. */
    attention_backward(
      dqkvPtr: number, doutPtr: number, qkvPtr: number, attPtr: number, batch: number, t: number, c: number, heads: number, seed: number, threshold: number, keepScale: number, workspacePtr: number, _part: number, _parts: number,
    ): void {
      const drop = { seed, threshold, scale: keepScale };
      const dqkv = mem.f32(dqkvPtr, batch * t * 3 * c);
      const dout = mem.f32(doutPtr, batch * t * c);
      const qkv = mem.f32(qkvPtr, batch * t * 3 * c);
      const att = mem.f32(attPtr, batch * heads * t * t);
      const datt = mem.f32(workspacePtr, t);
      const hs = c / heads;
      const scale = 1 / sqrt(hs);
      for (let b = 0; b < batch; b++) {
        for (let h = 0; h < heads; h++) {
          for (let i = 0; i < t; i++) {
            const row = ((b * heads + h) * t + i) * t;
            const o = (b * t + i) * c + h * hs;
            for (let j = 0; j <= i; j++) {
              const v = (b * t + j) * 3 * c + 2 * c + h * hs;
              const dropped = dropWeight(drop, att[row + j], row + j);
              let s = 0;
              for (let d = 0; d < hs; d++) {
                s += dout[o + d] * qkv[v + d];
                dqkv[v + d] += dropped * dout[o + d];
              }
              datt[j] = dropWeight(drop, s, row + j); // through the dropout: for the weights before it
            }
            let weighted = 0;
            for (let j = 0; j <= i; j++) weighted += att[row + j] * datt[j];
            const q = (b * t + i) * 3 * c + h * hs;
            for (let j = 0; j <= i; j++) {
              const dpre = att[row + j] * (datt[j] - weighted) * scale;
              const k = (b * t + j) * 3 * c + c + h * hs;
              for (let d = 0; d < hs; d++) {
                dqkv[q + d] += dpre * qkv[k + d];
                dqkv[k + d] += dpre * qkv[q + d];
              }
            }
          }
        }
      }
    },
  }) satisfies Partial<Kernels>;

/** Head h of position i of the sequence at qkv[seq]: its weights into att[row, row + i], its output into out[o + h·hs, …). */
function position(out: Float32Array, o: number, att: Float32Array, row: number, qkv: Float32Array, seq: number, i: number, c: number, heads: number, h: number, drop: AttnDropout): void {
  const hs = c / heads;
  const scale = 1 / sqrt(hs);
  const q = seq + i * 3 * c + h * hs;
  let m = -Infinity;
  for (let j = 0; j <= i; j++) {
    const k = seq + j * 3 * c + c + h * hs;
    let s = 0;
    for (let d = 0; d < hs; d++) s += qkv[q + d] * qkv[k + d];
    att[row + j] = s * scale;
    m = max(m, att[row + j]);
  }
  let sum = 0;
  for (let j = 0; j <= i; j++) sum += att[row + j] = exp(att[row + j] - m);
  for (let j = 0; j <= i; j++) att[row + j] /= sum;
  const oh = o + h * hs;
  out.fill(0, oh, oh + hs);
  for (let j = 0; j <= i; j++) {
    const v = seq + j * 3 * c + 2 * c + h * hs;
    const w = dropWeight(drop, att[row + j], row + j);
    for (let d = 0; d < hs; d++) out[oh + d] += w * qkv[v + d];
  }
}
