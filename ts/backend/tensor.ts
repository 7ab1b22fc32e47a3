import type { Backend } from './backend.js';
import { WasmgradError } from './errors.js';

/** f32 for values, i32 for indices (vocabulary ids, targets). */
export type DType = 'f32' | 'i32';

export const formatShape = (shape: readonly number[]) => `(${shape.join(',')})`;

/**
 * A block of a backend's memory with a shape: row-major and contiguous, f32 or i32. The numbers
 * live where the kernels read them (inside the wasm memory for the wasm backends); `f32()`/`i32()`
 * are live views, re-derived whenever the memory has grown, since growth detaches every old view.
 * `view(shape)` gives the same numbers another shape without copying, as torch's `view` does.
 */
export class Tensor {
  readonly size: number;
  private cachedView: Float32Array | Int32Array | null = null;
  private disposed = false;

  /** Use `backend.tensor(...)` or `tensor.view(...)`; this is called by backends. */
  constructor(
    readonly backend: Backend,
    readonly shape: readonly number[],
    readonly dtype: DType,
    /** Byte offset inside the backend's memory. */
    readonly offset: number,
    /** The tensor that owns the memory, for a view; null for an owner. */
    private readonly base: Tensor | null = null,
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
  }

  /**
   * The same memory with another shape of the same size; one dimension may be -1, inferred.
   * Writes through either tensor show in both. Disposing the view leaves the owner alive;
   * disposing the owner ends its views.
   */
  view(shape: readonly number[]): Tensor {
    const inferred = shape.indexOf(-1);
    const wellFormed = shape.every((d, i) => Number.isInteger(d) && (d >= 0 || i === inferred)) && shape.lastIndexOf(-1) === inferred;
    const known = shape.reduce((a, d, i) => (i === inferred ? a : a * d), 1);
    const resolved = shape.map((d, i) => (i === inferred ? this.size / known : d));
    if (!wellFormed || !resolved.every(Number.isInteger) || resolved.reduce((a, b) => a * b, 1) !== this.size) {
      throw new WasmgradError(
        `view: a tensor ${formatShape(this.shape)} of ${this.size} values cannot be viewed as ${formatShape(shape)}. ` +
          'Fix: pass non-negative dimensions (at most one -1) whose product is the same size.',
      );
    }
    return new Tensor(this.backend, resolved, this.dtype, this.offset, this.base ?? this);
  }

  /** Rows [start, start + length) of the first dimension, sharing the memory (torch's `narrow(0, start, length)`). */
  narrow(start: number, length: number): Tensor {
    const rows = this.shape[0];
    if (this.shape.length === 0 || !Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > rows) {
      throw new WasmgradError(`narrow: rows [${start}, ${start + length}) are not inside a tensor ${formatShape(this.shape)}. Fix: pass 0 ≤ start ≤ start + length ≤ ${rows ?? 0}.`);
    }
    const rowSize = this.size / rows;
    return new Tensor(this.backend, [length, ...this.shape.slice(1)], this.dtype, this.offset + start * rowSize * 4, this.base ?? this);
  }

  get byteLength(): number {
    return this.size * 4;
  }

  get isDisposed(): boolean {
    return this.disposed || (this.base?.isDisposed ?? false);
  }

  /** Live view of an f32 tensor. Do not keep it across allocations: memory growth detaches it. */
  f32(): Float32Array {
    if (this.dtype !== 'f32') throw new WasmgradError(`tensor ${formatShape(this.shape)} is i32; use .i32()`);
    return this.data() as Float32Array;
  }

  /** Live view of an i32 tensor. Do not keep it across allocations: memory growth detaches it. */
  i32(): Int32Array {
    if (this.dtype !== 'i32') throw new WasmgradError(`tensor ${formatShape(this.shape)} is f32; use .f32()`);
    return this.data() as Int32Array;
  }

  /** A copy of the values as a plain array. */
  toArray(): number[] {
    return Array.from(this.data());
  }

  /** Returns the memory to the backend (a view only ends itself). Using the tensor afterwards is an error. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cachedView = null;
    if (this.base === null) this.backend.release(this);
  }

  /** Live view of either dtype. */
  data(): Float32Array | Int32Array {
    if (this.isDisposed) throw new WasmgradError(`tensor ${formatShape(this.shape)} was disposed`);
    const buffer = this.backend.memoryBuffer();
    if (this.cachedView === null || this.cachedView.buffer !== buffer) {
      const Ctor = this.dtype === 'f32' ? Float32Array : Int32Array;
      this.cachedView = new Ctor(buffer, this.offset, this.size);
    }
    return this.cachedView;
  }
}
