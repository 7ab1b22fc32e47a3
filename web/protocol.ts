// Messages between the page (main.ts) and the training worker (worker.ts).
import type { ActivationStats, BackendName, LossPoint, TrainConfig } from '../ts/api.js';

export type ToWorker =
  /** A corpus's raw bytes (transferred); the worker decodes and checks them. */
  | { type: 'corpus'; bytes: ArrayBuffer; source: string }
  /** Starts a run with these settings, or resumes the paused one (settings ignored then). */
  | { type: 'start'; config: TrainConfig; backend: BackendName }
  /** Trains `steps` more steps past a finished run, at its schedule's last learning rate. */
  | { type: 'continue'; steps: number }
  | { type: 'pause' }
  | { type: 'reset' }
  /** The temperature samples are drawn at; the current sample is drawn again with it. */
  | { type: 'temperature'; value: number }
  /** Asks for the run's checkpoint bytes (answered with 'checkpoint'). */
  | { type: 'download' }
  /**
   * A .safetensors file the user chose (transferred): a checkpoint continues its run on the loaded
   * corpus; a model file starts a new run from its parameters with these settings.
   */
  | { type: 'open'; bytes: ArrayBuffer; name: string; config: TrainConfig; backend: BackendName }
  /** Loads the run kept in IndexedDB, with the corpus it trained on. */
  | { type: 'restore' }
  | { type: 'bench' };

/** What the page needs to show a run that is loaded (new, opened or restored). */
export interface RunShown {
  backend: BackendName;
  threads: number;
  step: number;
  steps: number;
  init: ActivationStats | null;
  /** The losses so far (an opened or restored run's, from its checkpoint). */
  history: LossPoint[];
  /** Whether the run evaluates on the validation part during training (a second curve). */
  validation: boolean;
}

export type FromWorker =
  | { type: 'corpus'; source: string; characters: number; distinct: number }
  | ({ type: 'started' } & RunShown)
  /** A run opened from a file or restored: shown paused at its step. */
  | ({ type: 'loaded'; source: string } & RunShown)
  /** About every 100 ms while training: the losses of the steps since the last message; `until`: the step the run trains to. */
  | { type: 'progress'; step: number; until: number; losses: number[]; stepsPerSecond: number }
  /** The validation and training losses evaluated before step `step`. */
  | { type: 'evaluation'; step: number; train: number; val: number | null }
  /** About every second, and when a run stops: statistics and a sample of the current model. */
  | { type: 'snapshot'; step: number; stats: ActivationStats; sample: string }
  /**
   * A run stopped. `lr`: the learning rate more steps would train at; `continueBlocked`: why
   * "continue training" cannot help (the schedule ends at 0), or null.
   */
  | { type: 'stopped'; reason: 'paused' | 'done' | 'diverged'; step: number; lr: number; continueBlocked: string | null }
  | { type: 'reset' }
  | { type: 'checkpoint'; bytes: ArrayBuffer; name: string }
  /** A run kept in IndexedDB from an earlier visit, which 'restore' loads. */
  | { type: 'stored'; step: number; source: string; savedAt: number }
  | { type: 'bench-progress'; line: string }
  | { type: 'bench-done'; table: string }
  /** A notice that is not an error (wasm-simd unavailable: wasm-scalar runs instead). */
  | { type: 'notice'; message: string }
  | { type: 'error'; context: ErrorContext; message: string };

/** Which part of the page an error belongs to. */
export type ErrorContext = 'corpus' | 'run' | 'file' | 'bench';
