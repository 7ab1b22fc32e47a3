import type { ModelKind } from '../../ts/nn/registry.js';
import type { LinearConfig } from '../../ts/nn/models/linear.js';
import type { MlpConfig } from '../../ts/nn/models/mlp.js';
import type { ContextMlpConfig } from '../../ts/nn/models/context-mlp.js';
import type { GptConfig } from '../../ts/nn/models/gpt.js';
import { dot64, gelu64, softmaxXent64 } from './reference.js';

/**
 * The models in float64, written from their definitions (one-hot rows, dense products),
 * independent of the tape and kernels: the oracle for whole-model gradient checks. One per model
 * kind: loss of windows x (B·T) against targets y (B, or B·T for a model that predicts every
 * position), parameters by name.
 */
type Loss64<C> = (config: C, p: Record<string, ArrayLike<number>>, x: ArrayLike<number>, y: ArrayLike<number>, v: number) => number;

export const LOSS64: { linear: Loss64<LinearConfig>; mlp: Loss64<MlpConfig>; 'context-mlp': Loss64<ContextMlpConfig>; gpt: Loss64<GptConfig> } & Record<ModelKind, Loss64<never>> = {
  linear: (_c, p, x, y, v) => {
    const n = y.length;
    const logits = new Float64Array(n * v);
    for (let i = 0; i < n; i++) for (let j = 0; j < v; j++) logits[i * v + j] = p.m[x[i] * v + j] + p.q[j];
    return mean(softmaxXent64(logits, y, n, v).losses);
  },
  mlp: ({ hidden: h }, p, x, y, v) => {
    const n = y.length;
    const logits = new Float64Array(n * v);
    const hidden = new Float64Array(h);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < h; k++) hidden[k] = gelu64(p.w1[x[i] * h + k] + p.b1[k]); // one_hot(x) @ w1 = row x of w1
      for (let j = 0; j < v; j++) {
        const column = Array.from({ length: h }, (_, k) => p.w2[k * v + j]);
        logits[i * v + j] = dot64(hidden, column) + p.b2[j];
      }
    }
    return mean(softmaxXent64(logits, y, n, v).losses);
  },
  'context-mlp': ({ context: c, embedding: e, hidden: h }, p, x, y, v) => {
    const n = y.length;
    const logits = new Float64Array(n * v);
    const concat = new Float64Array(c * e);
    const hidden = new Float64Array(h);
    for (let i = 0; i < n; i++) {
      // The window's characters, each its row of the embedding table, side by side.
      for (let t = 0; t < c; t++) for (let k = 0; k < e; k++) concat[t * e + k] = p.embedding[x[i * c + t] * e + k];
      for (let k = 0; k < h; k++) hidden[k] = gelu64(dot64(concat, Array.from({ length: c * e }, (_, r) => p.w1[r * h + k])) + p.b1[k]);
      for (let j = 0; j < v; j++) logits[i * v + j] = dot64(hidden, Array.from({ length: h }, (_, k) => p.w2[k * v + j])) + p.b2[j];
    }
    return mean(softmaxXent64(logits, y, n, v).losses);
  },
  gpt: (config, p, x, y, v) => mean(softmaxXent64(gptLogits64(config, p, x, v), y, y.length, v).losses),
};

/** A small config of each kind, for the gradient checks. */
export const SMALL_CONFIGS: Record<ModelKind, unknown> = {
  linear: { kind: 'linear' },
  mlp: { kind: 'mlp', hidden: 5 },
  'context-mlp': { kind: 'context-mlp', context: 3, embedding: 2, hidden: 5 },
  gpt: { kind: 'gpt', block: 4, layers: 2, heads: 2, embedding: 4, dropout: 0, bias: true },
};

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

/**
 * nanoGPT's forward in float64, for windows x (B·T, T = block) → logits (B·T, v): written from
 * model.py (nn.LayerNorm, nn.Linear's x·Wᵀ + b, causal softmax(q·kᵀ/√hs)·v, exact GELU, tied lm_head).
 */
export function gptLogits64({ block: t, layers, heads, embedding: c, bias }: GptConfig, p: Record<string, ArrayLike<number>>, x: ArrayLike<number>, v: number): Float64Array {
  const rows = x.length;
  const batch = rows / t;
  const hs = c / heads;
  const linear = (inp: Float64Array, name: string, out: number, width: number) => {
    const w = p[`${name}.weight`];
    const b = bias ? p[`${name}.bias`] : null;
    const y = new Float64Array(rows * out);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < out; o++) {
        let s = b ? b[o] : 0;
        for (let i = 0; i < width; i++) s += inp[r * width + i] * w[o * width + i];
        y[r * out + o] = s;
      }
    }
    return y;
  };
  const layerNorm = (inp: Float64Array, name: string) => {
    const g = p[`${name}.weight`];
    const b = bias ? p[`${name}.bias`] : null;
    const y = new Float64Array(rows * c);
    for (let r = 0; r < rows; r++) {
      const row = Array.from({ length: c }, (_, i) => inp[r * c + i]);
      const mu = row.reduce((a, z) => a + z, 0) / c;
      const variance = row.reduce((a, z) => a + (z - mu) ** 2, 0) / c;
      for (let i = 0; i < c; i++) y[r * c + i] = ((row[i] - mu) / Math.sqrt(variance + 1e-5)) * g[i] + (b ? b[i] : 0);
    }
    return y;
  };
  const attention = (qkv: Float64Array) => {
    const y = new Float64Array(rows * c);
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < t; i++) {
          const at = (pos: number, part: number, d: number) => qkv[(b * t + pos) * 3 * c + part * c + h * hs + d];
          const scores = Array.from({ length: i + 1 }, (_, j) => {
            let s = 0;
            for (let d = 0; d < hs; d++) s += at(i, 0, d) * at(j, 1, d);
            return s / Math.sqrt(hs);
          });
          const max = Math.max(...scores);
          const e = scores.map((s) => Math.exp(s - max));
          const z = e.reduce((a, w) => a + w, 0);
          for (let d = 0; d < hs; d++) y[(b * t + i) * c + h * hs + d] = e.reduce((a, w, j) => a + (w / z) * at(j, 2, d), 0);
        }
      }
    }
    return y;
  };
  const add = (a: Float64Array, b: Float64Array) => a.map((z, i) => z + b[i]);

  let h = new Float64Array(rows * c);
  const wte = p['transformer.wte.weight'];
  const wpe = p['transformer.wpe.weight'];
  for (let r = 0; r < rows; r++) for (let i = 0; i < c; i++) h[r * c + i] = wte[x[r] * c + i] + wpe[(r % t) * c + i];
  for (let l = 0; l < layers; l++) {
    const name = `transformer.h.${l}`;
    h = add(h, linear(attention(linear(layerNorm(h, `${name}.ln_1`), `${name}.attn.c_attn`, 3 * c, c)), `${name}.attn.c_proj`, c, c));
    h = add(h, linear(linear(layerNorm(h, `${name}.ln_2`), `${name}.mlp.c_fc`, 4 * c, c).map(gelu64), `${name}.mlp.c_proj`, c, 4 * c));
  }
  const final = layerNorm(h, 'transformer.ln_f');
  const logits = new Float64Array(rows * v);
  for (let r = 0; r < rows; r++) for (let j = 0; j < v; j++) logits[r * v + j] = dot64(final.subarray(r * c, (r + 1) * c), Array.from({ length: c }, (_, i) => wte[j * c + i]));
  return logits;
}
