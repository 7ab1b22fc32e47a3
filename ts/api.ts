/// <reference path="./webassembly.ts" preserve="true" />
/**
 * The public API that runs everywhere: what both package entries (ts/browser.ts, ts/node/index.ts)
 * export, each adding its own `loadBackend` (how it gets the kernel bytes) on top.
 */
export {
  createBackend, Backend, Tensor, WasmgradError, JsBackend, WasmBackend, wasmSimdSupported, BACKEND_NAMES,
  type WasmSources, type CreateBackendOptions, type DType, type WasmBackendName, type WasmSource,
  type BackendName, type MatmulOptions, type AdamOptions,
} from './backend/index.js';
export { Tape } from './autograd/tape.js';
export { Variable, Parameter } from './autograd/variable.js';
export { initialValues, INIT_NAMES, type InitName } from './nn/init.js';
export {
  createModel, describeModel, modelDefinition, MODELS, MODEL_KINDS,
  type Model, type ModelKind, type ModelConfig, type ModelDefinition, type ForwardResult, type ParameterSpec, type ParameterRole, type NamedValues,
} from './nn/registry.js';
export { ConfigError, renameConfigFields, type Field, type FieldValue } from './config/fields.js';
export { createOptimizer, Sgd, Adam, OPTIMIZER_NAMES, type Optimizer, type OptimizerName } from './optim/optimizer.js';
export { decodeText, firstInvalidUtf8 } from './data/text.js';
export { Vocabulary, describeChar } from './data/vocab.js';
export { makeDataset, type CharDataset } from './data/dataset.js';
export { windowCount, trainPart, validationPart, wholeText, type Part } from './data/batches.js';
export { encodeSafetensors, decodeSafetensors, type NamedTensor } from './io/safetensors.js';
export { Trainer, type ActivationStats, type TrainerState } from './train/trainer.js';
export type { RunOptions, RunResult, StepProgress, EvalProgress } from './train/run.js';
export { saveCheckpoint, loadCheckpoint, Checkpoint, type RunDetails, type SaveCheckpointOptions } from './train/checkpoint.js';
export { generate, generateStream, sampleIndex, keepTopK, type GenerateOptions, type StreamOptions } from './train/generate.js';
export { validateConfig, allFields, TRAIN_FIELDS, MODEL_KIND_FIELD, SCHEDULES, type TrainConfig, type Schedule } from './train/config.js';
export { PRESETS, PRESET_NAMES, type PresetName } from './train/presets.js';
export { lossCurveSvg, type LossPoint } from './train/loss-svg.js';
export { Rng } from './util/rng.js';
export { runKernelSuite, MATMUL_CASES } from './bench/kernel-suite.js';
export { runStepSuite, syntheticText, STEP_CASES, type StepCase } from './bench/step-suite.js';
export { measure, median, type MeasureOptions } from './bench/measure.js';
export { formatTable } from './bench/table.js';
export type { BenchRecord } from './bench/record.js';
