import { WasmgradError } from '../backend/errors.js';
import { Vocabulary } from '../data/vocab.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../io/safetensors.js';
import type { Exchange } from './model.js';
import { MODELS, modelDefinition, validateModelConfig, type ModelConfig, type NamedValues } from './registry.js';

/**
 * A trained model alone, as one safetensors file (`model.safetensors` in a run directory): the
 * parameters under the kind's names and, in the metadata, the model config and the vocabulary. A
 * kind with an exchange (the gpt: nanoGPT) also gets that framework's form: its tied tensors written
 * out and its config under its own key, so for a gpt
 *   GPT(GPTConfig(**json.loads(metadata['model_args']))).load_state_dict(load_file(path))
 * accepts the file as it is (strict). Reading takes either form: wasmgrad's, or a nanoGPT checkpoint
 * converted by scripts/pytorch/from_nanogpt.py.
 */
export interface ModelFile {
  config: ModelConfig;
  vocab: Vocabulary;
  /** Exactly the model's parameters (tied copies and buffers removed), to pass to createModel. */
  values: NamedValues;
  /** What reading dropped or converted, one line each. */
  notes: string[];
}

const FORMAT = 'wasmgrad-model';
/** torch.compile wraps a module and prefixes its state_dict's names; nanoGPT strips it too. */
const COMPILED_PREFIX = '_orig_mod.';

export function encodeModelFile(config: ModelConfig, vocab: Vocabulary, values: NamedValues): Uint8Array {
  const exchange = modelDefinition(config.kind).exchange;
  const tensors: Record<string, NamedTensor> = { ...values };
  const metadata: Record<string, string> = { format: FORMAT, config: JSON.stringify(config), vocab: JSON.stringify(vocab.toJSON()) };
  if (exchange) {
    for (const [name, twin] of Object.entries(exchange.tied)) tensors[name] = values[twin];
    metadata[exchange.argsKey] = JSON.stringify(exchange.toArgs(config as never, vocab.size));
  }
  return encodeSafetensors(tensors, metadata);
}

export function decodeModelFile(bytes: Uint8Array, source: string): ModelFile {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const fail = (problem: string, fix: string): never => {
    throw new WasmgradError(`${source}: ${problem}. Fix: ${fix}.`);
  };
  const json = (key: string): unknown => {
    try {
      return JSON.parse(metadata[key]);
    } catch (e) {
      return fail(`its metadata "${key}" is not valid JSON (${(e as Error).message})`, 'write the file again with wasmgrad or scripts/pytorch/from_nanogpt.py');
    }
  };
  const convert = 'pass a model.safetensors from a wasmgrad run, or convert a nanoGPT checkpoint with scripts/pytorch/from_nanogpt.py';
  const exchanging = Object.values(MODELS)
    .map((m) => (m as { exchange?: Exchange<ModelConfig> }).exchange)
    .find((x) => x !== undefined && x.argsKey in metadata);
  let config: ModelConfig;
  let vocabSize: number | null = null;
  if ('config' in metadata) config = json('config') as ModelConfig;
  else if (exchanging) ({ config, vocabSize } = exchanging.fromArgs(json(exchanging.argsKey) as Record<string, unknown>));
  else return fail('its metadata has no model config (neither wasmgrad\'s "config" nor nanoGPT\'s "model_args")', convert);
  try {
    validateModelConfig(config);
  } catch (e) {
    return fail(`its model config is not valid: ${(e as Error).message}`, convert);
  }
  if (!('vocab' in metadata)) return fail('its metadata has no "vocab" (the characters, in id order)', `${convert}, which reads the vocabulary from nanoGPT's meta.pkl`);
  const chars = json('vocab');
  if (!Array.isArray(chars) || !chars.every((c) => typeof c === 'string')) return fail('its metadata "vocab" is not a list of characters', convert);
  const vocab = new Vocabulary(chars as string[]);
  if (vocabSize !== null && vocabSize !== vocab.size) fail(`model_args.vocab_size is ${vocabSize} but the vocabulary has ${vocab.size} characters`, convert);

  const notes: string[] = [];
  const values: NamedValues = {};
  const compiled = Object.keys(tensors).filter((n) => n.startsWith(COMPILED_PREFIX));
  for (const [name, t] of Object.entries(tensors)) values[name.startsWith(COMPILED_PREFIX) ? name.slice(COMPILED_PREFIX.length) : name] = t;
  if (compiled.length > 0) notes.push(`removed torch.compile's "${COMPILED_PREFIX}" prefix from ${compiled.length} names`);
  const exchange = modelDefinition(config.kind).exchange;
  if (exchange) {
    for (const [name, twin] of Object.entries(exchange.tied)) {
      const copy = values[name];
      if (!copy) continue;
      const original = values[twin];
      if (original && (copy.shape.join() !== original.shape.join() || copy.data.some((x, i) => x !== original.data[i]))) {
        fail(`'${name}' differs from '${twin}', but the ${config.kind} model ties them (one tensor)`, `save the model with ${name} tied to ${twin}, as ${exchange.framework} does`);
      }
      delete values[name];
    }
    const buffers = Object.keys(values).filter((n) => exchange.buffers.test(n));
    for (const n of buffers) delete values[n];
    if (buffers.length > 0) notes.push(`dropped ${buffers.length} ${exchange.framework} buffers that are not parameters (${buffers[0]}, …)`);
  }
  return { config, vocab, values, notes };
}
