import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wabtInit from 'wabt';
import { importedMemoryPages } from '../../ts/backend/wasm/memory-import.js';

// The committed builds and their committed types, read as files (not through the loader, which
// checks them too). wasm/wasmgrad-kernels.d.ts is wasm-bindgen's description of the exports.
const wasmDir = join(__dirname, '..', '..', 'wasm');
const files = { simd: 'wasmgrad-simd.wasm', scalar: 'wasmgrad-scalar.wasm', threads: 'wasmgrad-threads.wasm' } as const;
type Build = keyof typeof files;
const builds = Object.keys(files) as Build[];
const bytes = (which: Build) => readFileSync(join(wasmDir, files[which]));

/** `export const name: (a: number, b: number) => void;` → name and 2; other exports → kind. */
function declaredExports(): Map<string, number | string> {
  const dts = readFileSync(join(wasmDir, 'wasmgrad-kernels.d.ts'), 'utf8');
  const declared = new Map<string, number | string>();
  for (const [, name, type] of dts.matchAll(/^export const (\w+): (.+);$/gm)) {
    const fn = /^\(([^)]*)\) =>/.exec(type);
    declared.set(name, fn ? (fn[1].trim() === '' ? 0 : fn[1].split(',').length) : type);
  }
  return declared;
}

/** The threads build's memory is imported, and wasm-bindgen adds a thread teardown and a stack size to its start. */
function threadsExports(declared: Map<string, number | string>): Map<string, number | string> {
  const threads = new Map(declared);
  threads.delete('memory');
  threads.set('__wbindgen_start', 1);
  threads.set('__wbindgen_thread_destroy', 3);
  return threads;
}

const sharedMemory = () => new WebAssembly.Memory({ initial: 100, maximum: 65536, shared: true });

test.each(builds)('%s build exports exactly what wasm-bindgen declared, with the declared arities', async (which) => {
  const declared = which === 'threads' ? threadsExports(declaredExports()) : declaredExports();
  expect(declared.size).toBeGreaterThan(20);
  const { instance } = await WebAssembly.instantiate(bytes(which), {
    './wasmgrad_kernels_bg.js': { __wbindgen_init_externref_table: () => {}, ...(which === 'threads' ? { memory: sharedMemory() } : {}) },
  });
  const actual = new Map(
    Object.entries(instance.exports).map(([name, value]) => [
      name,
      typeof value === 'function' ? value.length : value instanceof WebAssembly.Memory ? 'WebAssembly.Memory' : value instanceof WebAssembly.Table ? 'WebAssembly.Table' : 'global',
    ]),
  );
  // wasm-bindgen's own globals are not part of the typed surface.
  for (const [name, kind] of actual) if (kind === 'global') actual.delete(name);
  expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(declared));
});

test.each(['simd', 'scalar'] as const)('%s build imports only wasm-bindgen\'s externref start-up hook', (which) => {
  const module = new WebAssembly.Module(bytes(which));
  expect(WebAssembly.Module.imports(module)).toEqual([
    { module: './wasmgrad_kernels_bg.js', name: '__wbindgen_init_externref_table', kind: 'function' },
  ]);
});

test('the threads build imports its shared memory (the pool creates it) and the same hook', () => {
  const module = new WebAssembly.Module(bytes('threads'));
  expect(WebAssembly.Module.imports(module)).toEqual([
    { module: './wasmgrad_kernels_bg.js', name: 'memory', kind: 'memory' },
    { module: './wasmgrad_kernels_bg.js', name: '__wbindgen_init_externref_table', kind: 'function' },
  ]);
  const { min, max } = importedMemoryPages(bytes('threads'));
  expect(max).toBe(65536);
  // The stacks of 64 threads (thread_memory.rs) are static data, below the minimum.
  expect(min * 65536).toBeGreaterThan(64 * 64 * 1024);
  expect(() => importedMemoryPages(bytes('simd'))).toThrow(/imports no memory/);
});

test('no build can grow its memory: the TypeScript arena owns every byte past heap_base', async () => {
  const wabt = await wabtInit();
  for (const which of builds) {
    const text = wabt.readWasm(bytes(which), { simd: true, threads: true }).toText({});
    expect(text).toContain('memory.fill'); // the text is the code, not an empty module
    expect(text.includes('memory.grow')).toBe(false);
  }
});

test('the scalar build has no SIMD instruction; the SIMD build does', async () => {
  const wabt = await wabtInit();
  const parse = (which: Build) => () => wabt.readWasm(bytes(which), { simd: false }).validate();
  expect(parse('scalar')).not.toThrow();
  expect(parse('simd')).toThrow();
});
