import { WasmgradError } from './errors.js';

/**
 * A byte space that can only grow: a WebAssembly.Memory for the wasm backends, a plain
 * ArrayBuffer (copied into a larger one on growth) for the js backend.
 */
export interface GrowableMemory {
  /** The current buffer. A new object after every growth; the old one is detached or stale. */
  readonly buffer: ArrayBuffer;
  /** Grows so that byteLength ≥ minBytes, or throws. */
  growTo(minBytes: number): void;
}

/** Every block starts on this boundary, so f32x4 loads in the kernels are aligned. */
export const ALIGN = 16;

const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

interface Block {
  start: number;
  size: number;
}

/**
 * A first-fit allocator over a GrowableMemory, from `base` to the end of the memory. TypeScript
 * owns every buffer the kernels touch; a training step reuses its blocks, so the free list stays
 * short and first-fit is enough. Freed neighbours merge, so memory does not fragment away.
 */
export class Arena {
  private free: Block[] = [];
  private live = new Map<number, number>();
  private end: number;

  constructor(
    private readonly memory: GrowableMemory,
    base: number,
  ) {
    const start = alignUp(base);
    this.end = memory.buffer.byteLength;
    if (this.end > start) this.free.push({ start, size: this.end - start });
    else this.end = start;
  }

  /** Bytes currently handed out. */
  get bytesInUse(): number {
    let total = 0;
    for (const size of this.live.values()) total += size;
    return total;
  }

  alloc(bytes: number): number {
    const size = alignUp(Math.max(bytes, 1));
    let i = this.free.findIndex((b) => b.size >= size);
    if (i < 0) i = this.growFor(size);
    const block = this.free[i];
    const start = block.start;
    if (block.size === size) this.free.splice(i, 1);
    else {
      block.start += size;
      block.size -= size;
    }
    this.live.set(start, size);
    return start;
  }

  release(start: number): void {
    const size = this.live.get(start);
    if (size === undefined) throw new WasmgradError(`arena: no live block at byte ${start} (freed twice?)`);
    this.live.delete(start);
    let i = this.free.findIndex((b) => b.start > start);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { start, size });
    // Merge with the following block, then with the preceding one.
    const next = this.free[i + 1];
    if (next && start + size === next.start) {
      this.free[i].size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.start + prev.size === start) {
      prev.size += this.free[i].size;
      this.free.splice(i, 1);
    }
  }

  /** Grows the memory (at least doubling, to amortise copies) so the tail block fits `size`. */
  private growFor(size: number): number {
    const last = this.free[this.free.length - 1];
    const tailFree = last && last.start + last.size === this.end ? last.size : 0;
    const needed = this.end + size - tailFree;
    const target = Math.max(needed, this.memory.buffer.byteLength * 2);
    try {
      this.memory.growTo(target);
    } catch {
      this.memory.growTo(needed); // doubling may exceed the 4 GiB limit while the need does not
    }
    const newEnd = this.memory.buffer.byteLength;
    if (tailFree > 0) last.size += newEnd - this.end;
    else this.free.push({ start: this.end, size: newEnd - this.end });
    this.end = newEnd;
    return this.free.length - 1;
  }
}
