import type { GrowableMemory } from '../arena.js';
import { WasmgradError } from '../errors.js';

const PAGE = 65536;

/** The kernel module's linear memory. Growth detaches `buffer`; Tensor re-derives its views. */
export class WasmMemory implements GrowableMemory {
  constructor(private readonly memory: WebAssembly.Memory) {}

  get buffer(): ArrayBuffer {
    return this.memory.buffer as ArrayBuffer;
  }

  growTo(minBytes: number): void {
    const pages = Math.ceil((minBytes - this.memory.buffer.byteLength) / PAGE);
    if (pages <= 0) return;
    try {
      this.memory.grow(pages);
    } catch {
      const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;
      throw new WasmgradError(
        `out of wasm memory: cannot grow from ${mib(this.memory.buffer.byteLength)} to ${mib(minBytes)} ` +
          '(wasm32 addresses at most 4 GiB, and browsers may allow less). Fix: use a smaller batch or model, or dispose unused tensors.',
      );
    }
  }
}
