import type { Kernels } from '../kernels.js';
import type { Views } from './memory.js';

/** crate/src/matmul.rs in plain TypeScript. */
export const matmulKernels = (mem: Views) =>
  ({
    /** c (m,n) (+)= op(a) (m,k) @ op(b) (k,n); the workspace is the wasm kernel's packing scratch. */
    matmul(cPtr: number, aPtr: number, bPtr: number, m: number, k: number, n: number, transA: number, transB: number, accumulate: number, _workspace: number, _part: number, _parts: number): void {
      matmul(mem.f32(cPtr, m * n), mem.f32(aPtr, m * k), mem.f32(bPtr, k * n), m, k, n, transA !== 0, transB !== 0, accumulate !== 0);
    },

    /** `batch` products, c one after another, a and b strideA and strideB floats apart (0: shared). */
    matmul_batched(
      cPtr: number, aPtr: number, bPtr: number, batch: number, m: number, k: number, n: number, strideA: number, strideB: number,
      transA: number, transB: number, accumulate: number, _workspace: number, _part: number, _parts: number,
    ): void {
      for (let i = 0; i < batch; i++) {
        const c = mem.f32(cPtr + 4 * i * m * n, m * n);
        matmul(c, mem.f32(aPtr + 4 * i * strideA, m * k), mem.f32(bPtr + 4 * i * strideB, k * n), m, k, n, transA !== 0, transB !== 0, accumulate !== 0);
      }
    },
  }) satisfies Partial<Kernels>;

/**
 * c (m,n) (+)= op(a) (m,k) @ op(b) (k,n) over typed arrays. Each form gets the loop order that
 * walks memory contiguously in its innermost loop — what a careful JS programmer writes, so that
 * "WASM vs JS" compares good code with good code:
 *   nn: i-k-j, a row of c accumulates scaled rows of b;
 *   nt: i-j-k, each c[i,j] is a dot product of two contiguous rows, k unrolled by 4;
 *   tn: k-i-j, row k of the stored aᵀ scales row k of b into every row of c.
 */
function matmul(
  c: Float32Array, a: Float32Array, b: Float32Array,
  m: number, k: number, n: number,
  transA: boolean, transB: boolean, accumulate: boolean,
): void {
  if (!accumulate) c.fill(0, 0, m * n);
  if (transA && transB) {
    // Not used by backprop; kept correct rather than fast.
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[p * m + i] * b[j * k + p];
        c[i * n + j] += sum;
      }
    }
  } else if (transB) {
    for (let i = 0; i < m; i++) {
      const aRow = i * k;
      for (let j = 0; j < n; j++) {
        const bRow = j * k;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let p = 0;
        for (; p + 4 <= k; p += 4) {
          s0 += a[aRow + p] * b[bRow + p];
          s1 += a[aRow + p + 1] * b[bRow + p + 1];
          s2 += a[aRow + p + 2] * b[bRow + p + 2];
          s3 += a[aRow + p + 3] * b[bRow + p + 3];
        }
        for (; p < k; p++) s0 += a[aRow + p] * b[bRow + p];
        c[i * n + j] += s0 + s1 + s2 + s3;
      }
    }
  } else if (transA) {
    for (let p = 0; p < k; p++) {
      const bRow = p * n;
      for (let i = 0; i < m; i++) {
        const aip = a[p * m + i];
        axpyRow(c, i * n, aip, b, bRow, n);
      }
    }
  } else {
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        const aip = a[i * k + p];
        axpyRow(c, i * n, aip, b, p * n, n);
      }
    }
  }
}

/** c[cOff .. cOff+n] += alpha · b[bOff .. bOff+n], unrolled by 4. */
function axpyRow(c: Float32Array, cOff: number, alpha: number, b: Float32Array, bOff: number, n: number): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    c[cOff + j] += alpha * b[bOff + j];
    c[cOff + j + 1] += alpha * b[bOff + j + 1];
    c[cOff + j + 2] += alpha * b[bOff + j + 2];
    c[cOff + j + 3] += alpha * b[bOff + j + 3];
  }
  for (; j < n; j++) c[cOff + j] += alpha * b[bOff + j];
}
