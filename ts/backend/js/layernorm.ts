import type { Kernels } from '../kernels.js';
import type { Views } from './memory.js';

const { sqrt } = Math;

/** crate/src/layernorm.rs in plain TypeScript. A null bias or dbias (pointer 0) is absent. */
export const layernormKernels = (mem: Views) =>
  ({
    /** out (rows,c) = (x - μ)/√(var + eps)·weight + bias; mean (rows) = μ, rstd (rows) = 1/√(var + eps). */
    layernorm_forward(outPtr: number, meanPtr: number, rstdPtr: number, inpPtr: number, weightPtr: number, biasPtr: number, rows: number, c: number, eps: number, _part: number, _parts: number): void {
      const out = mem.f32(outPtr, rows * c);
      const [mean, rstd] = [mem.f32(meanPtr, rows), mem.f32(rstdPtr, rows)];
      const inp = mem.f32(inpPtr, rows * c);
      const weight = mem.f32(weightPtr, c);
      const bias = biasPtr === 0 ? null : mem.f32(biasPtr, c);
      for (let r = 0; r < rows; r++) {
        const row = r * c;
        let m = 0;
        for (let j = 0; j < c; j++) m += inp[row + j];
        m /= c;
        let v = 0;
        for (let j = 0; j < c; j++) v += (inp[row + j] - m) ** 2;
        const s = 1 / sqrt(v / c + eps);
        mean[r] = m;
        rstd[r] = s;
        for (let j = 0; j < c; j++) out[row + j] = (inp[row + j] - m) * s * weight[j] + (bias ? bias[j] : 0);
      }
    },

    /** dinp += (dn - mean(dn) - n·mean(dn·n))·rstd, dweight += Σ dout·n, dbias += Σ dout; n = (x - μ)·rstd, dn = dout·weight. */
    layernorm_backward(
      dinpPtr: number, dweightPtr: number, dbiasPtr: number, doutPtr: number, inpPtr: number, weightPtr: number, meanPtr: number, rstdPtr: number,
      rows: number, c: number, _part: number, _parts: number,
    ): void {
      const [dinp, dout, inp] = [mem.f32(dinpPtr, rows * c), mem.f32(doutPtr, rows * c), mem.f32(inpPtr, rows * c)];
      const [dweight, weight] = [mem.f32(dweightPtr, c), mem.f32(weightPtr, c)];
      const dbias = dbiasPtr === 0 ? null : mem.f32(dbiasPtr, c);
      const [mean, rstd] = [mem.f32(meanPtr, rows), mem.f32(rstdPtr, rows)];
      for (let r = 0; r < rows; r++) {
        const row = r * c;
        const [m, s] = [mean[r], rstd[r]];
        let dnMean = 0;
        let dnNormMean = 0;
        for (let j = 0; j < c; j++) {
          const dn = dout[row + j] * weight[j];
          dnMean += dn;
          dnNormMean += dn * (inp[row + j] - m) * s;
        }
        dnMean /= c;
        dnNormMean /= c;
        for (let j = 0; j < c; j++) {
          const n = (inp[row + j] - m) * s;
          dinp[row + j] += (dout[row + j] * weight[j] - dnMean - n * dnNormMean) * s;
          dweight[j] += dout[row + j] * n;
          if (dbias) dbias[j] += dout[row + j];
        }
      }
    },
  }) satisfies Partial<Kernels>;
