import type { Backend } from '../../ts/backend/backend.js';
import { createModel, describeModel, MODELS, modelDefinition, type ModelDefinition } from '../../ts/nn/registry.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';

let be: Backend;
beforeAll(async () => {
  be = (await allBackends())[0];
});

test('a kind is described by its fields; an unknown kind lists the known ones', () => {
  expect(describeModel({ kind: 'context-mlp', context: 8, embedding: 16, hidden: 256 })).toBe('context-mlp (context 8, embedding 16, hidden 256)');
  expect(describeModel({ kind: 'linear' })).toBe('linear');
  expect(describeModel({ kind: 'gpt', block: 64, layers: 4, heads: 4, embedding: 128, dropout: 0, bias: false })).toBe('gpt (block size 64, layers 4, heads 4, embedding 128, dropout 0, bias false)');
  expect(() => modelDefinition('rnn')).toThrow(/^config.model.kind is "rnn" but must be one of linear, mlp, context-mlp, gpt. Fix:/);
});

test('parameters follow the declaration: names, shapes, roles, in order', () => {
  const model = createModel(be, { kind: 'context-mlp', context: 3, embedding: 2, hidden: 5 }, 7, { init: 'kaiming', rng: new Rng(1) });
  expect(model.params.map((p) => [p.name, p.shape, model.roles.get(p.name)])).toEqual([
    ['embedding', [7, 2], 'embedding'], ['w1', [6, 5], 'weight'], ['b1', [5], 'bias'], ['w2', [5, 7], 'weight'], ['b2', [7], 'bias'],
  ]);
  expect(model.window).toBe(3);
});

test('values from a checkpoint must be exactly the declared ones: a missing, a reshaped and an extra tensor are named', () => {
  const config = { kind: 'mlp', hidden: 4 } as const;
  const values = Object.fromEntries(createModel(be, config, 5, { init: 'randn', rng: new Rng(2) }).params.map((p) => [p.name, { shape: p.shape, data: Float32Array.from(p.value.f32()) }]));
  expect(() => createModel(be, config, 5, { values: { ...values, b2: undefined! } })).toThrow("the checkpoint has no parameter 'b2', which a mlp (hidden 4) has");
  expect(() => createModel(be, config, 5, { values: { ...values, w1: { shape: [4, 5], data: values.w1.data } } })).toThrow("the checkpoint's 'w1' is (4,5) but a mlp (hidden 4) has it (5,4)");
  expect(() => createModel(be, config, 5, { values: { ...values, extra: values.b1 } })).toThrow("the checkpoint has parameter 'extra', which a mlp (hidden 4) does not have");
});

test("a parameter name with a character checkpoints reserve ('/') is refused", () => {
  const bad: ModelDefinition<{ kind: 'bad' }> = { ...(MODELS.linear as unknown as ModelDefinition<{ kind: 'bad' }>), kind: 'bad', parameters: () => [{ name: 'optimizer/m', shape: [2], role: 'bias' }] };
  (MODELS as unknown as Record<string, unknown>).bad = bad;
  try {
    expect(() => createModel(be, { kind: 'bad' } as never, 3, { init: 'randn', rng: new Rng(1) })).toThrow(/declares a parameter named "optimizer\/m". Fix: use letters, digits/);
  } finally {
    delete (MODELS as unknown as Record<string, unknown>).bad;
  }
});
