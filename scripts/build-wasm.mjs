#!/usr/bin/env node
// Builds the kernel crate twice — wasm-simd (+simd128) and wasm-scalar (-simd128) — into wasm/.
//   node scripts/build-wasm.mjs           rebuild and overwrite wasm/*.wasm
//   node scripts/build-wasm.mjs --check   rebuild into target/ and fail if wasm/*.wasm differ
// Uses rustup's wasm32 target when it is installed, otherwise Debian's rustc-web with
// -Zbuild-std (see README "Rebuilding the kernels"): the builds are byte-identical either way
// only when the compiler is the same, so CI uses the Debian route that committed the files.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, copyFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const TARGET = 'wasm32-unknown-unknown';
export const VARIANTS = [
  { name: 'wasm-simd', file: 'wasmgrad-simd.wasm', features: '+simd128' },
  { name: 'wasm-scalar', file: 'wasmgrad-scalar.wasm', features: '-simd128' },
];
const DEBIAN_STD_SRC = '/usr/lib/rustlib/src/rust/library';

function fail(message) {
  console.error(`build-wasm: ${message}`);
  process.exit(1);
}

function rustupHasWasmTarget() {
  const r = spawnSync('rustup', ['target', 'list', '--installed'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.split('\n').includes(TARGET);
}

function chooseToolchain() {
  if (process.env.WASMGRAD_RUST !== 'debian' && rustupHasWasmTarget()) {
    return { label: 'rustup (wasm32 target installed)', cargo: 'cargo', env: {}, extraArgs: [] };
  }
  if (existsSync('/usr/bin/cargo') && existsSync(join(DEBIAN_STD_SRC, 'vendor'))) {
    return {
      label: "Debian rustc-web with -Zbuild-std",
      cargo: '/usr/bin/cargo',
      // rustup's ~/.cargo/bin comes first on PATH; name Debian's compiler explicitly.
      env: { RUSTC: '/usr/bin/rustc' },
      extraArgs: [
        '-Zbuild-std=core,panic_abort',
        '--config', 'source.crates-io.replace-with="rust-std-vendor"',
        '--config', `source.rust-std-vendor.directory="${DEBIAN_STD_SRC}/vendor"`,
      ],
    };
  }
  fail(
    'no Rust toolchain that can target wasm32 was found.\n' +
      '  Debian/Ubuntu: apt-get install -y rustc-web cargo-web rust-web-src rust-web-llvm lld-22\n' +
      `  rustup:        rustup target add ${TARGET}`,
  );
}

function exportsOf(bytes) {
  return WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name);
}

const toolchain = chooseToolchain();
console.log(`build-wasm: ${toolchain.label}`);
let differs = false;
for (const variant of VARIANTS) {
  const targetDir = join(root, 'target', variant.name);
  const env = {
    ...process.env,
    ...toolchain.env,
    // -Zbuild-std needs it; the scalar build also uses core's unstable f32 math (crate/src/lib.rs).
    RUSTC_BOOTSTRAP: '1',
    CARGO_TARGET_DIR: targetDir,
    // Absolute paths must not reach the binary, or a clone in another folder builds other bytes.
    RUSTFLAGS: `-C target-feature=${variant.features} --remap-path-prefix=${root}=/wasmgrad`,
  };
  const args = ['build', '--release', '--target', TARGET, '-p', 'wasmgrad-kernels', ...toolchain.extraArgs];
  try {
    execFileSync(toolchain.cargo, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    fail(`cargo build failed for ${variant.name} (output above).`);
  }
  const built = join(targetDir, TARGET, 'release', 'wasmgrad_kernels.wasm');
  const committed = join(root, 'wasm', variant.file);
  const bytes = readFileSync(built);
  if (check) {
    const same = existsSync(committed) && Buffer.compare(bytes, readFileSync(committed)) === 0;
    console.log(`${variant.name}: ${same ? 'identical to' : 'DIFFERS from'} wasm/${variant.file}`);
    differs ||= !same;
  } else {
    mkdirSync(dirname(committed), { recursive: true });
    copyFileSync(built, committed);
    console.log(`${variant.name}: wasm/${variant.file} ${statSync(committed).size} bytes`);
    console.log(`  exports: ${exportsOf(bytes).join(' ')}`);
  }
}
if (differs) {
  fail('the committed wasm files are stale: run `npm run build:wasm` and commit wasm/*.wasm.');
}
