import type { KernelThreads } from '../backend.js';
import { WasmgradError } from '../errors.js';
import { SHARED_KERNELS, type WasmExports } from '../kernels.js';
import { wasmBindgenHooks } from './instantiate.js';
import { CONTROL, CONTROL_BYTES, kernelImports, serveKernels, type WorkerInit, type WorkerReport } from './worker-main.js';

/** A worker as the pool needs it; Node's worker_threads and the browser's Worker both give one (spawn.ts). */
export interface PoolWorker {
  postMessage(message: WorkerInit): void;
  /** Calls back once, with the worker's start-up report or the error that ended it. */
  onReport(callback: (report: WorkerReport) => void): void;
  terminate(): void;
}

/** Starts a worker running `script`, a classic script whose last line hands `serveKernels` its first message. */
export type SpawnWorker = (script: (listen: string) => string) => PoolWorker;

/** The worker's script: the self-contained serve loop and its helpers, then the platform's listener. */
export const workerScript = (listen: string): string =>
  `"use strict";\nconst wasmBindgenHooks = ${wasmBindgenHooks};\nconst kernelImports = ${kernelImports};\nconst serveKernels = ${serveKernels};\n` +
  `const start = (init, report) => serveKernels(init, { hooks: wasmBindgenHooks, imports: kernelImports }, report);\n${listen}\n`;

/** Polls between calls before a worker sleeps: about a tenth of a millisecond. */
const SPINS = 100_000;
/** Call sequence numbers wrap below this, so that the call word stays a positive Int32. */
const SEQUENCES = 2 ** 31 / CONTROL.partsRange;

/** Whether this thread may Atomics.wait: a browser's main thread may not (it throws). */
const CAN_BLOCK = (() => {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
})();

/**
 * Threads sharing one wasm memory: the calling thread and count - 1 workers. A call writes its
 * kernel and arguments into a shared control block and wakes the workers; then every thread, this
 * one too, claims and runs parts until none is left, and this one waits (spinning where it may not
 * block: a browser's main thread) until the parts that workers claimed have finished.
 */
export class WorkerPool implements KernelThreads {
  private readonly control: Int32Array;
  private readonly args: Float64Array;
  private readonly kernels: ((...args: number[]) => unknown)[];
  private sequence = 0;
  private disposed = false;

  private constructor(
    private readonly workers: PoolWorker[],
    buffer: SharedArrayBuffer,
    exports: WasmExports,
    /** Polls before this thread sleeps waiting for the workers (see spinsFor). */
    private readonly spins: number,
  ) {
    this.control = new Int32Array(buffer);
    this.args = new Float64Array(buffer, CONTROL.argsByte, CONTROL.maxArgs);
    this.kernels = SHARED_KERNELS.map((name) => exports[name] as (...args: number[]) => unknown);
  }

  /**
   * Starts count - 1 workers on `memory`, each instantiating `module`; throws if any fails to start.
   * `cores` is what the platform says it has (unknown: as many as the threads).
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, exports: WasmExports, count: number, spawn: SpawnWorker, cores = count): Promise<WorkerPool> {
    const buffer = new SharedArrayBuffer(CONTROL_BYTES);
    // A thread that polls holds a core. With more threads than cores, the one whose part is still
    // to run may be waiting for that core: every call would wait for the scheduler's time slice
    // (milliseconds, where a call takes microseconds). Then every thread sleeps at once instead.
    const spins = count <= cores ? SPINS : 0;
    const workers: PoolWorker[] = [];
    try {
      const reports = [];
      for (let started = 1; started < count; started++) {
        const worker = spawn(workerScript);
        workers.push(worker);
        reports.push(new Promise<WorkerReport>((resolve) => worker.onReport(resolve)));
        worker.postMessage({
          module, memory, control: buffer, kernels: SHARED_KERNELS, stackBytes: exports.thread_stack_bytes(), spins, layout: CONTROL,
        });
      }
      for (const report of await Promise.all(reports)) {
        if ('error' in report) throw new Error(report.error);
      }
    } catch (e) {
      for (const worker of workers) worker.terminate();
      throw new WasmgradError(`a kernel worker failed to start (${(e as Error).message})`);
    }
    return new WorkerPool(workers, buffer, exports, spins);
  }

  get count(): number {
    return this.workers.length + 1;
  }

  run(kernel: number, args: readonly number[], parts: number): void {
    if (this.disposed) throw new WasmgradError('the backend was disposed: its worker threads have ended. Fix: load a new backend.');
    if (args.length > CONTROL.maxArgs) throw new WasmgradError(`internal: ${SHARED_KERNELS[kernel]} passes ${args.length} arguments, more than the pool's ${CONTROL.maxArgs}`);
    const c = this.control;
    this.args.set(args);
    Atomics.store(c, CONTROL.argCount, args.length);
    Atomics.store(c, CONTROL.kernel, kernel);
    Atomics.store(c, CONTROL.done, 0);
    this.sequence = (this.sequence + 1) % SEQUENCES;
    const sequence = this.sequence * CONTROL.partsRange;
    Atomics.store(c, CONTROL.claim, sequence);
    Atomics.store(c, CONTROL.call, sequence + parts);
    Atomics.notify(c, CONTROL.call);
    let failure: unknown = null;
    // Only this thread adds to the claim without comparing: it stays below PARTS_RANGE (parts + 1 at most).
    for (let part = Atomics.add(c, CONTROL.claim, 1) % CONTROL.partsRange; part < parts; part = Atomics.add(c, CONTROL.claim, 1) % CONTROL.partsRange) {
      try {
        this.kernels[kernel](...args, part, parts);
      } catch (e) {
        failure ??= e; // the other parts still run: every part must end before the next call
      }
      Atomics.add(c, CONTROL.done, 1);
    }
    // Every part claimed by a worker ends before the next call writes its arguments.
    this.waitForParts(parts);
    const workerFailed = Atomics.exchange(c, CONTROL.failed, 0);
    if (failure !== null) throw failure;
    if (workerFailed) {
      throw new WasmgradError(`${SHARED_KERNELS[kernel]} failed in a worker thread (a wasm trap: out of bounds or unreachable)`);
    }
  }

  /**
   * Spins while the workers finish their parts (a divided call's parts end within microseconds of
   * each other), then, where this thread may block (not a browser's main thread), sleeps until the
   * last one wakes it: with more threads than cores, a spinning caller would take a core from a worker.
   */
  private waitForParts(parts: number): void {
    const c = this.control;
    let spins = 0;
    for (let done = Atomics.load(c, CONTROL.done); done < parts; done = Atomics.load(c, CONTROL.done)) {
      if (++spins > this.spins && CAN_BLOCK) {
        Atomics.wait(c, CONTROL.done, done, 1);
        spins = 0;
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.control, CONTROL.stop, 1);
    Atomics.add(this.control, CONTROL.call, CONTROL.partsRange);
    Atomics.notify(this.control, CONTROL.call);
    for (const worker of this.workers) worker.terminate();
  }
}
