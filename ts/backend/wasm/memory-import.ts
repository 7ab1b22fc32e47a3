import { WasmgradError } from '../errors.js';

/**
 * The limits of the memory a module imports, read from its bytes (the JS API does not expose them):
 * the threads build's memory is created by the caller, at least as large as the module asks, and
 * TypeScript's arena may only start past that minimum (wasm-bindgen's thread start-up keeps a
 * page of its own just below it).
 */
export function importedMemoryPages(bytes: Uint8Array): { min: number; max: number | undefined } {
  let at = 8; // magic and version
  const byte = () => bytes[at++];
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = byte();
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
  };
  const skipName = () => {
    const length = leb();
    at += length;
  };
  const limits = () => {
    const flags = byte();
    const min = leb();
    return { min, max: flags & 1 ? leb() : undefined };
  };
  while (at < bytes.length) {
    const id = byte();
    const size = leb();
    const end = at + size;
    if (id === 2) {
      for (let count = leb(); count > 0; count--) {
        skipName();
        skipName();
        const kind = byte();
        if (kind === 2) return limits();
        if (kind === 0) leb();
        else if (kind === 1) (byte(), limits());
        else if (kind === 3) at += 2;
        else if (kind === 4) (byte(), leb());
      }
    }
    at = end;
  }
  throw new WasmgradError('the threads build imports no memory, so it is not wasm/wasmgrad-threads.wasm. Fix: pass the bytes of wasm/wasmgrad-threads.wasm.');
}
