import type { Backend } from '../../ts/backend/backend.js';
import { Vocabulary } from '../../ts/data/vocab.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../../ts/io/safetensors.js';
import { decodeModelFile, encodeModelFile } from '../../ts/nn/model-file.js';
import type { GptConfig } from '../../ts/nn/models/gpt.js';
import { createModel, type NamedValues } from '../../ts/nn/registry.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';

const vocab = Vocabulary.fromText('to be or not to be\n');
const config: GptConfig = { kind: 'gpt', block: 4, layers: 2, heads: 2, embedding: 8, dropout: 0, bias: false };
let be: Backend;
let values: NamedValues;
beforeAll(async () => {
  be = (await allBackends())[0];
  const model = createModel(be, config, vocab.size, { init: 'gpt2', rng: new Rng(1) });
  values = Object.fromEntries(model.params.map((p) => [p.name, { shape: p.shape, data: Float32Array.from(p.value.f32()) }]));
});

/** A file as nanoGPT's converter writes one: the state_dict, model_args and the vocabulary. */
function nanoGptFile(tensors: Record<string, NamedTensor>, args: Record<string, unknown> = { n_layer: 2, n_head: 2, n_embd: 8, block_size: 4, bias: false, vocab_size: vocab.size, dropout: 0.0 }) {
  return encodeSafetensors(tensors, { model_args: JSON.stringify(args), vocab: JSON.stringify(vocab.toJSON()) });
}

test("a gpt's file is nanoGPT's state_dict: its names, the tied lm_head written out, model_args; it reads back to the same model", () => {
  const bytes = encodeModelFile(config, vocab, values);
  const { tensors, metadata } = decodeSafetensors(bytes, 'm');
  expect(Object.keys(tensors).sort()).toEqual([...Object.keys(values), 'lm_head.weight'].sort());
  expect(tensors['lm_head.weight'].data).toEqual(values['transformer.wte.weight'].data);
  expect(JSON.parse(metadata.model_args)).toEqual({ n_layer: 2, n_head: 2, n_embd: 8, block_size: 4, bias: false, vocab_size: vocab.size, dropout: 0 });
  const back = decodeModelFile(bytes, 'm');
  expect(back.config).toEqual(config);
  expect(back.values).toEqual(values);
  expect(back.vocab.toJSON()).toEqual(vocab.toJSON());
});

test("a nanoGPT file: model_args become the config; torch.compile's prefix and the mask buffers go", () => {
  const tensors: Record<string, NamedTensor> = { 'lm_head.weight': values['transformer.wte.weight'] };
  for (const [name, t] of Object.entries(values)) tensors[`_orig_mod.${name}`] = t;
  tensors['transformer.h.0.attn.bias'] = { shape: [1, 1, 4, 4], data: new Float32Array(16) };
  const file = decodeModelFile(nanoGptFile(tensors), 'ckpt.safetensors');
  expect(file.config).toEqual(config);
  expect(file.values).toEqual(values);
  expect(file.notes).toEqual([expect.stringContaining('"_orig_mod." prefix'), expect.stringContaining('dropped 1 nanoGPT buffers')]);
});

test('bad files: each a message that names the problem and the fix', () => {
  const load = (bytes: Uint8Array) => {
    const file = decodeModelFile(bytes, 'ckpt.safetensors');
    return createModel(be, file.config, file.vocab.size, { values: file.values });
  };
  const withLmHead: NamedValues = { ...values, 'lm_head.weight': values['transformer.wte.weight'] };
  const missing = Object.fromEntries(Object.entries(withLmHead).filter(([name]) => name !== 'transformer.h.1.mlp.c_fc.weight'));
  expect(() => load(nanoGptFile(missing))).toThrow("the checkpoint has no parameter 'transformer.h.1.mlp.c_fc.weight', which a gpt (block size 4, layers 2, heads 2, embedding 8, dropout 0, bias false) has");
  expect(() => load(nanoGptFile({ ...withLmHead, 'transformer.h.2.ln_1.weight': values['transformer.ln_f.weight'] }))).toThrow("the checkpoint has parameter 'transformer.h.2.ln_1.weight', which a gpt");
  const reshaped = { ...withLmHead, 'transformer.h.0.attn.c_proj.weight': { shape: [4, 16], data: values['transformer.h.0.attn.c_proj.weight'].data } };
  expect(() => load(nanoGptFile(reshaped))).toThrow("the checkpoint's 'transformer.h.0.attn.c_proj.weight' is (4,16) but a gpt (block size 4, layers 2, heads 2, embedding 8, dropout 0, bias false) has it (8,8)");
  const untied = { ...values, 'lm_head.weight': { shape: values['transformer.wte.weight'].shape, data: new Float32Array(values['transformer.wte.weight'].data.length) } };
  expect(() => load(nanoGptFile(untied))).toThrow("ckpt.safetensors: 'lm_head.weight' differs from 'transformer.wte.weight', but the gpt model ties them");
  expect(() => load(nanoGptFile(withLmHead, { n_layer: 2, n_head: 3, n_embd: 8, block_size: 4, bias: false, vocab_size: vocab.size }))).toThrow('its model config is not valid: config.model.heads 3 does not divide config.model.embedding 8');
  expect(() => load(nanoGptFile(withLmHead, { n_layer: 2, n_head: 2, n_embd: 8, block_size: 4, vocab_size: vocab.size }))).toThrow("the file's model_args.bias is undefined but must be true or false");
  expect(() => load(nanoGptFile(withLmHead, { n_layer: 2, n_head: 2, n_embd: 8, block_size: 4, bias: false, vocab_size: 50304 }))).toThrow('model_args.vocab_size is 50304 but the vocabulary has');
  expect(() => load(encodeSafetensors(withLmHead, { model_args: '{}' }))).toThrow("the file's model_args.n_layer is undefined");
  expect(() => load(encodeSafetensors(withLmHead, { model_args: JSON.stringify({ n_layer: 2, n_head: 2, n_embd: 8, block_size: 4, bias: false, vocab_size: vocab.size }) }))).toThrow('its metadata has no "vocab"');
  expect(() => load(encodeSafetensors(withLmHead))).toThrow('its metadata has no model config');
});
