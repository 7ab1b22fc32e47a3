import { WasmgradError } from '../backend/errors.js';
import { yielder } from '../util/event-loop.js';
import type { TrainConfig } from './config.js';

/** What the loop needs of a trainer: Trainer has it (and its `run` calls `runTraining(this)`). */
export interface Steppable {
  readonly step: number;
  readonly config: TrainConfig;
  /** The learning rate of the next step. */
  readonly currentLr: number;
  /** Characters a step predicts. */
  readonly targetsPerStep: number;
  trainStep(): number;
  evaluate(): { train: number; val: number | null };
}

/** What `onStep` hears after each step. */
export interface StepProgress {
  /** Steps completed, this one included. */
  step: number;
  /** The step's batch loss (before its update). */
  loss: number;
  /** The learning rate the step used. */
  lr: number;
  /**
   * Characters predicted per second over this run so far, evaluations excluded: B·T for a GPT
   * step (nanoGPT's tokens per iteration), B for a model that predicts one character per window.
   */
  tokensPerSecond: number;
  /** Seconds until `until` at this run's pace (evaluations included). */
  etaSeconds: number;
  /** Seconds since `run` was called. */
  elapsedSeconds: number;
}

/** What `onEval` hears: the losses of `trainer.evaluate()` before step `step`. */
export interface EvalProgress {
  step: number;
  train: number;
  val: number | null;
}

export interface RunOptions {
  /** Train until this many steps are done (default: config.steps). Past config.steps, the schedule's last lr. */
  until?: number;
  /** Stops the run after the current step; `run` then resolves with reason 'aborted'. */
  signal?: AbortSignal;
  /** After every step. May return a Promise (a checkpoint write): the run waits for it. */
  onStep?: (progress: StepProgress) => void | Promise<void>;
  /** Before every step that config.evalEvery divides (step 0 included), with that step's losses. May return a Promise. */
  onEval?: (evaluation: EvalProgress) => void | Promise<void>;
  /** Give the event loop a turn at least this often, in ms of training (default 20). */
  yieldMs?: number;
}

export interface RunResult {
  /**
   * done: `until` reached; aborted: the signal stopped it; diverged: a step's loss was not finite
   * (the run stops after that step; its onStep has seen the loss).
   */
  reason: 'done' | 'aborted' | 'diverged';
  /** The trainer's step when the run ended. */
  step: number;
  /** Steps this run took. */
  stepsRun: number;
  /** The last step's batch loss, or null if no step ran. */
  lastLoss: number | null;
  /** Mean wall time of this run's steps, evaluations and callbacks excluded; null if none ran. */
  msPerStep: number | null;
}

/**
 * The trainer's steps as a Promise: the same steps, in the same order, as calling trainStep() in a
 * loop, so the same seed gives the same bits. Between steps it hands the event loop a turn every
 * `yieldMs`, so a page redraws, a server answers, a timer fires and a signal handler runs.
 */
export async function runTraining(trainer: Steppable, options: RunOptions = {}): Promise<RunResult> {
  const { config } = trainer;
  const { until = config.steps, signal, onStep, onEval, yieldMs = 20 } = options;
  if (!(Number.isInteger(until) && until >= trainer.step)) {
    throw new WasmgradError(`options.until is ${until}, but must be an integer of at least the trainer's step (${trainer.step}). Fix: pass a later step, or leave it out to train to config.steps (${config.steps}).`);
  }
  const pause = yielder(yieldMs);
  const tokensPerStep = trainer.targetsPerStep;
  const start = performance.now();
  const firstStep = trainer.step;
  let stepMs = 0;
  let lastLoss: number | null = null;
  const result = (reason: RunResult['reason']): RunResult => {
    const stepsRun = trainer.step - firstStep;
    return { reason, step: trainer.step, stepsRun, lastLoss, msPerStep: stepsRun > 0 ? stepMs / stepsRun : null };
  };
  while (trainer.step < until) {
    if (signal?.aborted) return result('aborted');
    const step = trainer.step;
    if (config.evalEvery && step % config.evalEvery === 0) {
      const losses = trainer.evaluate();
      await onEval?.({ step, ...losses });
      if (signal?.aborted) return result('aborted');
    }
    const lr = trainer.currentLr;
    const stepStart = performance.now();
    const loss = trainer.trainStep();
    const now = performance.now();
    stepMs += now - stepStart;
    lastLoss = loss;
    if (onStep) {
      const done = trainer.step - firstStep;
      const elapsedSeconds = (now - start) / 1000;
      await onStep({ step: trainer.step, loss, lr, tokensPerSecond: (done * tokensPerStep * 1000) / stepMs, etaSeconds: (elapsedSeconds / done) * (until - trainer.step), elapsedSeconds });
    }
    if (!Number.isFinite(loss)) return result('diverged');
    await pause();
  }
  return result('done');
}
