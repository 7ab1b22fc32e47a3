#!/usr/bin/env node
// The tools that build the committed kernels, pinned, found and (with --install) installed.
//   node scripts/wasm-tools.mjs            say which tools were found and whether they match the pins
//   node scripts/wasm-tools.mjs --install  `cargo install` whichever pinned tool is missing (CI)
//
// wasm-bindgen's CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock: the CLI
// reads descriptors the crate's macro wrote, and mismatched versions refuse each other. wasm-pack is
// pinned too, since it decides the cargo and wasm-bindgen command lines. Both are built from
// crates.io with rustup's cargo (their npm packages download binaries from GitHub, which these
// machines cannot reach). The wasm32 compiler itself is Debian's rustc-web (see build-wasm.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const WASM_PACK_VERSION = '0.15.1';

/** The wasm-bindgen version Cargo.lock resolved for the crate (crate/Cargo.toml pins it with `=`). */
export function wasmBindgenVersion() {
  const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
  const match = /\[\[package\]\]\nname = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock);
  if (!match) throw new Error('Cargo.lock has no wasm-bindgen package: run `cargo generate-lockfile` in the repository root.');
  return match[1];
}

/** Where `cargo install` puts binaries. */
export const cargoBin = join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin');

/** `<tool> --version`'s version number, or null when the tool is not there. */
function versionOf(path) {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return /(\d+\.\d+\.\d+)/.exec(r.stdout)?.[1] ?? null;
}

/** The pinned tools: name, wanted version, and the path and version found in ~/.cargo/bin. */
export function pinnedTools() {
  return [
    { name: 'wasm-pack', crate: 'wasm-pack', version: WASM_PACK_VERSION },
    { name: 'wasm-bindgen', crate: 'wasm-bindgen-cli', version: wasmBindgenVersion() },
  ].map((tool) => {
    const path = join(cargoBin, tool.name);
    return { ...tool, path, found: existsSync(path) ? versionOf(path) : null };
  });
}

/** Paths of the pinned tools, or an error that says how to install them. */
export function requirePinnedTools() {
  const tools = pinnedTools();
  const wrong = tools.filter((t) => t.found !== t.version);
  if (wrong.length > 0) {
    const lines = wrong.map((t) => `  ${t.name} ${t.version} is needed; ${t.found ? `${t.path} is ${t.found}` : `${t.path} is missing`}`);
    throw new Error(`${lines.join('\n')}\n  Fix: node scripts/wasm-tools.mjs --install   (cargo install, a few minutes each)`);
  }
  return Object.fromEntries(tools.map((t) => [t.name, t.path]));
}

function install() {
  for (const tool of pinnedTools()) {
    if (tool.found === tool.version) {
      console.log(`wasm-tools: ${tool.name} ${tool.version} already in ${cargoBin}`);
      continue;
    }
    console.log(`wasm-tools: cargo install ${tool.crate} --version =${tool.version}`);
    // rustup's cargo (first on PATH) builds host tools; --force replaces a binary of another version.
    execFileSync('cargo', ['install', tool.crate, '--version', `=${tool.version}`, '--force'], { stdio: 'inherit' });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--install')) install();
  for (const t of pinnedTools()) console.log(`${t.name}: wants ${t.version}, found ${t.found ?? 'nothing'} (${t.path})`);
}
