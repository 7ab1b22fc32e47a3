import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wabtInit from 'wabt';
import { WasmBackend } from '../../ts/backend/wasm/index.js';
import { nodeWasmSources } from '../../ts/node/backends.js';

// The loader instantiates wasm-bindgen's output itself (ts/backend/wasm/instantiate.ts), because the
// generated glue holds one instance per JS module; these are the cases that decision must get right.

async function wat(text: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  return new Uint8Array(wabt.parseWat('test.wat', text).toBinary({}).buffer);
}

test('two backends of one build have separate instances and memories', async () => {
  const bytes = await nodeWasmSources.simd();
  const a = await WasmBackend.create(bytes, 'wasm-simd');
  const b = await WasmBackend.create(bytes, 'wasm-simd');
  expect(a.memoryBuffer()).not.toBe(b.memoryBuffer());
  const x = a.fromArray([3], [1, 2, 3]);
  const y = b.fromArray([3], [10, 20, 30]);
  expect(x.offset).toBe(y.offset); // the same address in two memories
  a.sgdStep(x, a.fromArray([3], [1, 1, 1]), 1);
  expect(x.toArray()).toEqual([0, 1, 2]);
  expect(y.toArray()).toEqual([10, 20, 30]);
});

test('a module that is not a kernel build is refused with the reason', async () => {
  await expect(WasmBackend.create(await wat('(module)'), 'wasm-simd')).rejects.toThrow(
    /wasm-simd: the module has no abi_version export, so it is not a wasmgrad kernel build. Fix: pass the bytes of wasm\/wasmgrad-simd.wasm/,
  );
  await expect(WasmBackend.create(await wat('(module (import "env" "log" (func)))'), 'wasm-scalar')).rejects.toThrow(
    /wasm-scalar: the module imports function 'env.log', which is not a wasmgrad kernel build's. Fix: pass the bytes of wasm\/wasmgrad-scalar.wasm/,
  );
  const otherAbi = await wat('(module (func (export "abi_version") (result i32) i32.const 1))');
  await expect(WasmBackend.create(otherAbi, 'wasm-simd')).rejects.toThrow(/has ABI version 1, this code expects 10/);
});

test('a compiled WebAssembly.Module is accepted as well as bytes', async () => {
  const module = await WebAssembly.compile(readFileSync(join(__dirname, '..', '..', 'wasm', 'wasmgrad-scalar.wasm')));
  const be = await WasmBackend.create(module, 'wasm-scalar');
  expect(be.meanAbs(be.fromArray([2], [-1, 3]))).toBe(2);
});
