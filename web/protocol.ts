// Messages between the page (main.ts) and the training worker (worker.ts).
import type { ActivationStats, BackendName, TrainConfig } from '../ts/api.js';

export type ToWorker =
  /** A corpus's raw bytes (transferred); the worker decodes and checks them. */
  | { type: 'corpus'; bytes: ArrayBuffer; source: string }
  /** Starts a run with these settings, or resumes the paused one (settings ignored then). */
  | { type: 'start'; config: TrainConfig; backend: BackendName }
  | { type: 'pause' }
  | { type: 'reset' }
  | { type: 'bench' };

export type FromWorker =
  | { type: 'corpus'; source: string; characters: number; distinct: number }
  | { type: 'started'; backend: BackendName; threads: number; steps: number; init: ActivationStats }
  /** About every 100 ms while training: the losses of the steps since the last message. */
  | { type: 'progress'; step: number; losses: number[]; stepsPerSecond: number }
  /** About every second, and when a run stops: statistics and a sample of the current model. */
  | { type: 'snapshot'; step: number; stats: ActivationStats; sample: string }
  | { type: 'stopped'; reason: 'paused' | 'done' }
  | { type: 'reset' }
  | { type: 'bench-progress'; line: string }
  | { type: 'bench-done'; table: string }
  /** A notice that is not an error (wasm-simd unavailable: wasm-scalar runs instead). */
  | { type: 'notice'; message: string }
  | { type: 'error'; context: ErrorContext; message: string };

/** Which part of the page an error belongs to. */
export type ErrorContext = 'corpus' | 'run' | 'bench';
