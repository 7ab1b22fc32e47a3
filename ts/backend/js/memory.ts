import type { GrowableMemory } from '../arena.js';

/**
 * Typed views at byte offsets of a backend's memory: how a JS twin reads its pointer arguments.
 * Without a length a view runs to the end of the memory, like a Rust pointer whose extent the
 * kernel does not know (the rows of an embedding table).
 */
export interface Views {
  f32(ptr: number, length?: number): Float32Array;
  i32(ptr: number, length?: number): Int32Array;
}

/** The js backend's memory: an ArrayBuffer, replaced by a larger copy when it must grow. */
export class ArrayBufferMemory implements GrowableMemory, Views {
  buffer: ArrayBuffer;

  constructor(initialBytes: number) {
    this.buffer = new ArrayBuffer(initialBytes);
  }

  growTo(minBytes: number): void {
    if (minBytes <= this.buffer.byteLength) return;
    const next = new ArrayBuffer(minBytes);
    new Uint8Array(next).set(new Uint8Array(this.buffer));
    this.buffer = next;
  }

  f32(ptr: number, length?: number): Float32Array {
    return new Float32Array(this.buffer, ptr, length);
  }

  i32(ptr: number, length?: number): Int32Array {
    return new Int32Array(this.buffer, ptr, length);
  }
}
