/**
 * What every worker of the pool runs. The functions here are sent to the worker as source text
 * (pool.ts), so they must be self-contained: no imports, no module-level names, only globals and
 * their arguments.
 */
import type { WasmExports } from '../kernels.js';

/** The control block, Int32 slots in a SharedArrayBuffer shared by the pool and its workers. */
export const CONTROL = {
  /**
   * One word per call, written last: a sequence number times PARTS_RANGE plus the call's parts.
   * A worker reads both at once, so it never pairs one call's sequence with another's parts.
   */
  call: 0,
  /**
   * The call's sequence times PARTS_RANGE plus its next unclaimed part. Every thread, the calling
   * one too, claims parts until none is left: a part runs on whichever thread is free first (its
   * bits do not depend on which), so a worker that is asleep or descheduled delays no call it has
   * not claimed a part of. A claim names the sequence, so a late worker never claims a part of
   * the call after the one it saw.
   */
  claim: 1,
  kernel: 2,
  argCount: 3,
  /** Parts of the current call that have finished, on any thread. */
  done: 4,
  /** Set when a worker's part threw; the calling thread reports it. */
  failed: 5,
  stop: 6,
  /** Byte offset of the call's arguments, Float64 (pointers, sizes, f32 values and u32 seeds fit exactly). */
  argsByte: 64,
  maxArgs: 24,
  /** Parts fit below this in the call and claim words (max_threads is 64). */
  partsRange: 128,
} as const;

export const CONTROL_BYTES = CONTROL.argsByte + 8 * CONTROL.maxArgs;

/** The first message a worker gets. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** The kernels a call may name, by index (kernels.ts SHARED_KERNELS). */
  kernels: readonly string[];
  stackBytes: number;
  /** Polls of the control block before a worker sleeps in Atomics.wait. */
  spins: number;
  layout: typeof CONTROL;
}

/** What a worker reports once: started, or why not. */
export type WorkerReport = { ready: true } | { error: string };

/**
 * The imports of a kernel build: wasm-bindgen's start-up hooks by name, and `memory` for the
 * threads build's shared memory. Throws on any other import.
 */
export function kernelImports(
  module: WebAssembly.Module,
  hooks: Record<string, () => void>,
  memory: WebAssembly.Memory | undefined,
): Record<string, Record<string, (() => void) | WebAssembly.Memory>> {
  const imports: Record<string, Record<string, (() => void) | WebAssembly.Memory>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    const value = imp.kind === 'function' ? hooks[imp.name] : imp.kind === 'memory' ? memory : undefined;
    if (!value) throw new Error(`the module imports ${imp.kind} '${imp.module}.${imp.name}', which is not a wasmgrad kernel build's`);
    (imports[imp.module] ??= {})[imp.name] = value;
  }
  return imports;
}

/**
 * A worker's life: instantiate the kernels on the shared memory with a stack of its own, report,
 * then serve calls until told to stop. Between calls it polls the control block `spins` times (a
 * training step's calls come microseconds apart) and then sleeps in Atomics.wait.
 */
export function serveKernels(
  init: WorkerInit,
  helpers: { hooks: (exports: () => WasmExports) => Record<string, () => void>; imports: typeof kernelImports },
  report: (r: WorkerReport) => void,
): void {
  let exports: WasmExports;
  try {
    const hooks = helpers.hooks(() => exports);
    exports = new WebAssembly.Instance(init.module, helpers.imports(init.module, hooks, init.memory)).exports as unknown as WasmExports;
    (exports.__wbindgen_start as (stackBytes: number) => void)(init.stackBytes);
  } catch (e) {
    report({ error: String((e as Error)?.message ?? e) });
    return;
  }
  report({ ready: true });
  const L = init.layout;
  const control = new Int32Array(init.control);
  const args = new Float64Array(init.control, L.argsByte, L.maxArgs);
  const kernels = init.kernels.map((name) => (exports as unknown as Record<string, (...a: number[]) => unknown>)[name]);
  const call: number[] = [];
  let seen = Atomics.load(control, L.call);
  for (;;) {
    let spins = 0;
    while (Atomics.load(control, L.call) === seen) {
      if (++spins > init.spins) {
        Atomics.wait(control, L.call, seen);
        spins = 0;
      }
    }
    seen = Atomics.load(control, L.call);
    if (Atomics.load(control, L.stop)) return;
    const parts = seen % L.partsRange;
    const sequence = seen - parts;
    for (;;) {
      const claim = Atomics.load(control, L.claim);
      const part = claim % L.partsRange;
      if (claim - part !== sequence || part >= parts) break; // the call is over, or every part taken
      if (Atomics.compareExchange(control, L.claim, claim, claim + 1) !== claim) continue;
      // The calling thread waits for this part, so the arguments stay as they are until it ends.
      const n = Atomics.load(control, L.argCount);
      call.length = n + 2;
      for (let i = 0; i < n; i++) call[i] = args[i];
      call[n] = part;
      call[n + 1] = parts;
      try {
        kernels[Atomics.load(control, L.kernel)](...call);
      } catch {
        Atomics.store(control, L.failed, 1);
      }
      // The last part to finish wakes the calling thread, if it went to sleep waiting.
      if (Atomics.add(control, L.done, 1) === parts - 1) Atomics.notify(control, L.done);
    }
  }
}
