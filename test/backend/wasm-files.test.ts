import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wabtInit from 'wabt';
import { EXPECTED_EXPORTS } from '../../ts/backend/wasm/exports.js';

// The committed builds themselves, read as files (not through the loader, which checks them too).
const wasmDir = join(__dirname, '..', '..', 'wasm');
const files = { simd: 'wasmgrad-simd.wasm', scalar: 'wasmgrad-scalar.wasm' } as const;
const bytes = (which: keyof typeof files) => readFileSync(join(wasmDir, files[which]));

test.each(Object.keys(files) as (keyof typeof files)[])('%s build exports every kernel the TypeScript calls, and imports nothing', (which) => {
  const module = new WebAssembly.Module(bytes(which));
  const names = WebAssembly.Module.exports(module).map((e) => e.name);
  expect(EXPECTED_EXPORTS.filter((e) => !names.includes(e))).toEqual([]);
  expect(WebAssembly.Module.imports(module)).toEqual([]);
});

test('the scalar build has no SIMD instruction; the SIMD build does', async () => {
  const wabt = await wabtInit();
  const parse = (which: keyof typeof files) => () => wabt.readWasm(bytes(which), { simd: false }).validate();
  expect(parse('scalar')).not.toThrow();
  expect(parse('simd')).toThrow();
});
