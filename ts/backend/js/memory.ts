import type { GrowableMemory } from '../arena.js';

/** The js backend's memory: an ArrayBuffer, replaced by a larger copy when it must grow. */
export class ArrayBufferMemory implements GrowableMemory {
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
}
