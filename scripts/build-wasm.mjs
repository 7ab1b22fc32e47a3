#!/usr/bin/env node
// Builds the kernel crate with wasm-pack (and so wasm-bindgen) once per variant, into wasm/:
//   wasm/wasmgrad-simd.wasm     +simd128
//   wasm/wasmgrad-scalar.wasm   -simd128 (engines without SIMD, and the comparison baseline)
//   wasm/wasmgrad-threads.wasm  +simd128 +atomics on an imported shared memory (the worker pool's)
//   wasm/wasmgrad-kernels.d.ts  wasm-bindgen's types of the raw exports: the kernels are the same in
//                               every variant (the threads build imports its memory, and its start
//                               takes a stack size)
//
//   node scripts/build-wasm.mjs           rebuild and overwrite the files in wasm/
//   node scripts/build-wasm.mjs --check   rebuild into target/ and fail if any file in wasm/ differs
//
// The compiler is Debian's rustc-web with -Zbuild-std: rustup's toolchain here has no wasm32 standard
// library, and std is rebuilt anyway with `-C panic=immediate-abort`, so that no panic-formatting
// or allocator code (which would grow the memory the TypeScript arena owns) reaches the module.
// The same compiler and tools give the same bytes from any folder (paths are remapped).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cargoBin, requirePinnedTools } from './wasm-tools.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
// The threads build imports a shared memory (which every worker's instance is given) and exports
// the thread-local-storage symbols wasm-bindgen's thread start-up needs; its maximum is wasm32's 4 GiB.
const SHARED_MEMORY = [
  '--shared-memory', '--import-memory', '--max-memory=4294967296',
  '--export=__wasm_init_tls', '--export=__tls_size', '--export=__tls_align', '--export=__tls_base',
].map((arg) => `-C link-arg=${arg}`);
export const VARIANTS = [
  { name: 'wasm-simd', file: 'wasmgrad-simd.wasm', features: '+simd128', link: [] },
  { name: 'wasm-scalar', file: 'wasmgrad-scalar.wasm', features: '-simd128', link: [] },
  { name: 'wasm-threads', file: 'wasmgrad-threads.wasm', features: '+simd128,+atomics,+bulk-memory', link: SHARED_MEMORY },
];
const TYPES_FILE = 'wasmgrad-kernels.d.ts';
const OUT_NAME = 'wasmgrad_kernels';
// Another compiler (e.g. rustup's nightly with rust-src) builds working kernels, but other bytes.
const RUSTC = process.env.WASMGRAD_RUSTC ?? '/usr/bin/rustc';
const CARGO = process.env.WASMGRAD_CARGO ?? '/usr/bin/cargo';
const DEBIAN_STD_SRC = '/usr/lib/rustlib/src/rust/library';

function fail(message) {
  console.error(`build-wasm: ${message}`);
  process.exit(1);
}

if (!process.env.WASMGRAD_RUSTC && (!existsSync(RUSTC) || !existsSync(CARGO) || !existsSync(join(DEBIAN_STD_SRC, 'std')))) {
  fail(
    "Debian's rustc-web (the wasm32 compiler of the committed kernels) is not installed.\n" +
      '  Fix: apt-get install -y rustc-web cargo-web rust-web-src rust-web-llvm lld-22\n' +
      '  (or set WASMGRAD_RUSTC and WASMGRAD_CARGO to a toolchain with rust-src: the bytes will differ from wasm/)',
  );
}
let tools;
try {
  tools = requirePinnedTools();
} catch (e) {
  fail(`the pinned wasm tools are not installed:\n${e.message}`);
}

// wasm-pack runs `cargo` and `wasm-bindgen` from PATH. ~/.cargo/bin holds rustup's cargo as well as
// the pinned tools, so give wasm-pack a folder with exactly the chosen cargo and the pinned wasm-bindgen.
const toolDir = join(root, 'target', 'wasm-tools');
rmSync(toolDir, { recursive: true, force: true });
mkdirSync(toolDir, { recursive: true });
symlinkSync(CARGO, join(toolDir, 'cargo'));
symlinkSync(tools['wasm-bindgen'], join(toolDir, 'wasm-bindgen'));

const rustcVersion = execFileSync(RUSTC, ['--version'], { encoding: 'utf8' }).trim();
const which = process.env.WASMGRAD_RUSTC ? `${RUSTC}, not the committed files' compiler` : "Debian's rustc-web";
console.log(`build-wasm: ${rustcVersion} (${which}, -Zbuild-std), wasm-pack and wasm-bindgen from ${cargoBin}`);

const cargoHome = dirname(cargoBin);
let differs = false;
let types = null;
for (const variant of VARIANTS) {
  const outDir = join(root, 'target', 'wasm-pack', variant.name);
  const env = {
    ...process.env,
    PATH: `${toolDir}:${process.env.PATH}`,
    RUSTC,
    // -Zbuild-std and -C panic=immediate-abort are unstable; Debian's stable rustc accepts them so.
    RUSTC_BOOTSTRAP: '1',
    CARGO_TARGET_DIR: join(root, 'target', variant.name),
    // Absolute paths must not reach the binary, or a clone in another folder builds other bytes.
    RUSTFLAGS: [
      `-C target-feature=${variant.features}`,
      ...variant.link,
      '-Z unstable-options -C panic=immediate-abort',
      // LLVM's loop strength reduction turns a loop's constant load offsets (v128.load offset=16)
      // into address additions of their own (i32.add, then the load), each of which V8 executes
      // as an instruction; without it the kernels' loads keep their offsets (matmul 5-12% faster
      // in both builds, the scalar build's other kernels up to 10% faster, nothing slower).
      '-C llvm-args=-disable-lsr',
      `--remap-path-prefix=${root}=/wasmgrad`,
      `--remap-path-prefix=${cargoHome}=/cargo`,
    ].join(' '),
  };
  const args = [
    '--log-level', 'warn', 'build', join(root, 'crate'), '--release', '--target', 'web', '--mode', 'no-install',
    '--no-opt', '--no-pack', '--out-dir', outDir, '--out-name', OUT_NAME,
    // Options after the crate's path go to cargo.
    '-Zbuild-std=std,panic_abort',
  ];
  try {
    execFileSync(tools['wasm-pack'], args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    fail(`wasm-pack build failed for ${variant.name} (output above).`);
  }

  const builtTypes = kernelSurface(readFileSync(join(outDir, `${OUT_NAME}_bg.wasm.d.ts`), 'utf8'));
  if (types !== null && builtTypes !== types) fail(`${variant.name} exports other kernels than ${VARIANTS[0].name}: the variants must share one surface.`);
  types = builtTypes;
  differs = output(join(outDir, `${OUT_NAME}_bg.wasm`), variant.file) || differs;
}
differs = output(join(root, 'target', 'wasm-pack', VARIANTS[0].name, `${OUT_NAME}_bg.wasm.d.ts`), TYPES_FILE) || differs;
if (differs) {
  fail('the committed files in wasm/ are stale: run `npm run build:wasm` and commit wasm/.');
}

/** The declarations of the kernels and build exports: the memory and wasm-bindgen's own differ by variant. */
function kernelSurface(types) {
  return types
    .split('\n')
    .filter((line) => !/^export const (memory|__\w+):/.test(line))
    .join('\n');
}

/** Compares (--check) or copies a built file to wasm/<file>; returns whether it differed. */
function output(built, file) {
  const committed = join(root, 'wasm', file);
  if (check) {
    const same = existsSync(committed) && Buffer.compare(readFileSync(built), readFileSync(committed)) === 0;
    console.log(`wasm/${file}: ${same ? 'identical to the rebuild' : 'DIFFERS from the rebuild'}`);
    return !same;
  }
  mkdirSync(dirname(committed), { recursive: true });
  copyFileSync(built, committed);
  console.log(`wasm/${file}: ${statSync(committed).size} bytes`);
  return false;
}
