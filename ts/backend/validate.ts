import { WasmgradError } from './errors.js';
import { formatShape, type DType, type Tensor } from './tensor.js';
import type { Backend } from './backend.js';

/**
 * Checks run at the boundary, before any kernel touches memory: every kernel argument gets a
 * name, so a failure reads like "matmul: b has 4 rows but a has 5 columns ..." and says how to fix it.
 */
export class KernelArgs {
  private readonly named: [string, Tensor][] = [];

  constructor(
    private readonly backend: Backend,
    private readonly kernel: string,
  ) {}

  /** Registers a tensor argument and checks it belongs to this backend, is live and has `dtype`. */
  tensor(name: string, t: Tensor, dtype: DType, rank: number): this {
    if (t === null || typeof t !== 'object' || !('backend' in t)) {
      this.fail(`${name} is not a Tensor`, 'pass a tensor made by backend.tensor() or backend.fromArray()');
    }
    this.named.push([name, t]);
    if (t.backend !== this.backend) {
      this.fail(
        `${name} belongs to backend ${t.backend.name}, not ${this.backend.name}`,
        `copy it with ${this.backend.name}.fromArray(shape, tensor.toArray())`,
      );
    }
    if (t.isDisposed) this.fail(`${name} was disposed`, 'allocate a new tensor');
    if (t.dtype !== dtype) this.fail(`${name} is ${t.dtype} but must be ${dtype}`, `create ${name} with dtype '${dtype}'`);
    if (t.shape.length !== rank) {
      this.fail(`${name} has rank ${t.shape.length} but must have rank ${rank}`, `reshape ${name} to ${rank} dimension(s)`);
    }
    return this;
  }

  /** Fails unless `t.shape` equals `expected`. */
  shape(name: string, t: Tensor, expected: readonly number[], why: string): this {
    if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
      this.fail(`${name} is ${formatShape(t.shape)} but must be ${formatShape(expected)}`, why);
    }
    return this;
  }

  /** Fails if two tensors share memory where the kernel reads one while writing the other. */
  distinct(outName: string, out: Tensor, inName: string, inp: Tensor): this {
    const overlap = out.offset < inp.offset + inp.byteLength && inp.offset < out.offset + out.byteLength;
    if (out.backend === inp.backend && overlap && out.size > 0 && inp.size > 0) {
      this.fail(`${outName} overlaps ${inName}`, `write ${outName} into a separate tensor`);
    }
    return this;
  }

  /** Fails unless every index is in [0, limit). Runs on every call: nothing reads out of bounds. */
  indices(name: string, t: Tensor, limit: number, what: string): this {
    const idx = t.i32();
    for (let i = 0; i < idx.length; i++) {
      const v = idx[i];
      if (v < 0 || v >= limit) {
        this.fail(`${name}[${i}] = ${v} is outside [0, ${limit})`, `every ${name} must be a valid ${what} in [0, ${limit})`);
      }
    }
    return this;
  }

  positive(name: string, value: number): this {
    if (!Number.isInteger(value) || value < 1) this.fail(`${name} is ${value} but must be a positive integer`, 'pass non-empty tensors');
    return this;
  }

  finite(name: string, value: number): this {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(`${name} is ${value} but must be a finite number`, `pass a finite ${name}`);
    return this;
  }

  fail(problem: string, fix: string): never {
    const args = this.named.map(([n, t]) => `${n} ${t.dtype}${formatShape(t.shape)}`).join(', ');
    throw new WasmgradError(`${this.kernel}: ${problem}${args ? ` [${args}]` : ''}. Fix: ${fix}.`);
  }
}
