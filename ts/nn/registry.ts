import type { Backend } from '../backend/backend.js';
import { WasmgradError } from '../backend/errors.js';
import { validateFields, type Field } from '../config/fields.js';
import { formatShape, type Tensor } from '../backend/tensor.js';
import type { Tape } from '../autograd/tape.js';
import { Parameter } from '../autograd/variable.js';
import type { NamedTensor } from '../io/safetensors.js';
import type { Rng } from '../util/rng.js';
import { initialValues, type InitName } from './init.js';
import type { WindowShape } from '../data/batches.js';
import { EVALUATION, type Decoder, type ForwardResult, type ModelDefinition, type ParameterRole, type ParameterSpec, type PassContext } from './model.js';
import { contextMlp } from './models/context-mlp.js';
import { gpt } from './models/gpt.js';
import { linear } from './models/linear.js';
import { mlp } from './models/mlp.js';

/** Every model kind: adding one is its file and a line here. */
export type { Decoder, ForwardResult, ModelDefinition, ParameterRole, ParameterSpec, PassContext } from './model.js';
export { EVALUATION } from './model.js';

export const MODELS = { linear, mlp, 'context-mlp': contextMlp, gpt } as const;

export type ModelKind = keyof typeof MODELS;
export const MODEL_KINDS = Object.keys(MODELS) as ModelKind[];
/** The config of any kind: a discriminated union on `kind`. */
export type ModelConfig = Parameters<(typeof MODELS)[ModelKind]['parameters']>[0];

/** The field that chooses the model kind. */
export const MODEL_KIND_FIELD: Field = {
  key: 'kind', path: 'config.model.kind', flag: 'model', label: 'model', help: 'the model', value: { type: 'choice', choices: MODEL_KINDS },
};

/** Checks a model config: its kind, each of the kind's fields, no stray field, and the kind's own cross-field checks. */
export function validateModelConfig(model: ModelConfig): ModelConfig {
  validateFields([MODEL_KIND_FIELD], model as unknown as Record<string, unknown>);
  const definition = modelDefinition(model.kind);
  validateFields(definition.fields, model as unknown as Record<string, unknown>);
  const known = new Set(['kind', ...definition.fields.map((f) => f.key)]);
  const stray = Object.keys(model).find((k) => !known.has(k));
  if (stray) {
    const own = definition.fields.map((f) => f.path).join(', ') || 'none';
    throw new WasmgradError(`config.model.${stray} is not a field of the ${model.kind} model (its fields: ${own}). Fix: remove it, or choose a model that has it.`);
  }
  definition.validate?.(model);
  return model;
}

/** The definition of a kind, or an error that lists the kinds. */
export function modelDefinition(kind: string): ModelDefinition<ModelConfig> {
  if (!Object.hasOwn(MODELS, kind)) throw new WasmgradError(`config.model.kind is ${JSON.stringify(kind)} but must be one of ${MODEL_KINDS.join(', ')}. Fix: set config.model.kind to one of ${MODEL_KINDS.join(', ')}.`);
  return MODELS[kind as ModelKind] as ModelDefinition<ModelConfig>;
}

/** "mlp (hidden 128)": a model config in a line. */
export function describeModel(config: ModelConfig): string {
  const def = modelDefinition(config.kind);
  const fields = def.fields.map((f) => `${f.label} ${(config as unknown as Record<string, unknown>)[f.key]}`);
  return fields.length > 0 ? `${config.kind} (${fields.join(', ')})` : config.kind;
}

/** A model with its parameters on a backend. */
export interface Model {
  readonly config: ModelConfig;
  readonly definition: ModelDefinition<ModelConfig>;
  /** In declaration order. */
  readonly params: readonly Parameter[];
  readonly byName: ReadonlyMap<string, Parameter>;
  readonly roles: ReadonlyMap<string, ParameterRole>;
  readonly window: number;
  /** The window and what the model predicts from it (batches are cut to this). */
  readonly windowShape: WindowShape;
  /** Logits for inputs (B, T); see ModelDefinition.predicts for their rows. Evaluation unless `pass` says training. */
  forward(tape: Tape, inputs: Tensor, pass?: PassContext): ForwardResult;
  /** A cached position-by-position decoder, for kinds that have one (the gpt). */
  decoder?(): Decoder;
}

/** A parameter's values by name, with its shape: a checkpoint's tensors. */
export type NamedValues = Record<string, NamedTensor>;

/**
 * A model on `backend`: parameters initialised by `init` from `rng` (in declaration order), or
 * taken from `values` (a checkpoint), whose names and shapes must be exactly the declared ones.
 */
export function createModel(
  backend: Backend,
  config: ModelConfig,
  vocabSize: number,
  source: { init: InitName; rng: Rng } | { values: NamedValues },
): Model {
  const definition = modelDefinition(config.kind);
  const specs = definition.parameters(config, vocabSize);
  // Checkpoints keep the optimizer's tensors under "optimizer/<name>": a slash is the one character a name may not have.
  const bad = specs.find((s) => !/^[A-Za-z0-9_.-]+$/.test(s.name));
  if (bad) throw new WasmgradError(`the ${config.kind} model declares a parameter named ${JSON.stringify(bad.name)}. Fix: use letters, digits, '_', '-' and '.' in parameter names.`);
  if ('values' in source) checkValues(specs, source.values, config);
  const params = specs.map((spec) => {
    const values = 'values' in source ? source.values[spec.name].data : initialValues(source.init, spec, source.rng);
    return new Parameter(spec.name, backend.fromArray(spec.shape, values), backend.tensor(spec.shape));
  });
  const byName = new Map(params.map((p) => [p.name, p]));
  return {
    config,
    definition,
    params,
    byName,
    roles: new Map(specs.map((s) => [s.name, s.role])),
    window: definition.window(config),
    windowShape: { length: definition.window(config), predicts: definition.predicts },
    forward: (tape, inputs, pass = EVALUATION) => definition.forward(tape, byName, inputs, config, pass),
    ...(definition.decoder ? { decoder: () => definition.decoder!(backend, byName, config) } : {}),
  };
}

/** Names and shapes of a checkpoint against the declaration; the message lists every difference. */
function checkValues(specs: ParameterSpec[], values: NamedValues, config: ModelConfig): void {
  const differences = tensorDifferences(specs, values, 'parameter', `a ${describeModel(config)}`);
  if (differences.length > 0) throw new WasmgradError(`${differences.join('; ')}. Fix: load it with the model config it was trained with.`);
}

/**
 * Every way `found` differs from the tensors `expected` (each missing one, each with another shape,
 * each extra one), one phrase each naming the tensor and the expected shape; empty when they match.
 * `what` says whose tensors are expected ("a mlp (hidden 128)"), `noun` what they are ("parameter").
 */
export function tensorDifferences(expected: readonly { name: string; shape: readonly number[] }[], found: NamedValues, noun: string, what: string): string[] {
  const differences: string[] = [];
  for (const spec of expected) {
    const v = Object.hasOwn(found, spec.name) ? found[spec.name] : undefined;
    if (!v) differences.push(`the checkpoint has no ${noun} '${spec.name}', which ${what} has, of shape ${formatShape(spec.shape)}`);
    else if (v.shape.length !== spec.shape.length || v.shape.some((d, i) => d !== spec.shape[i]) || v.data.length !== spec.shape.reduce((a, b) => a * b, 1)) {
      differences.push(`the checkpoint's '${spec.name}' is ${formatShape(v.shape)} but ${what} has it ${formatShape(spec.shape)}`);
    }
  }
  const names = new Set(expected.map((s) => s.name));
  for (const name of Object.keys(found)) {
    if (!names.has(name)) differences.push(`the checkpoint has ${noun} '${name}', which ${what} does not have`);
  }
  return differences;
}
