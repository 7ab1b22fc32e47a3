import type { Backend } from '../../ts/backend/backend.js';
import { Tape } from '../../ts/autograd/tape.js';
import { targetsPerWindow } from '../../ts/data/batches.js';
import { createModel, MODEL_KINDS, MODELS, type ModelConfig } from '../../ts/nn/registry.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import { LOSS64, SMALL_CONFIGS } from '../helpers/models64.js';
import { finiteDiff } from '../helpers/reference.js';

// Every registered model, forward and backward through the tape, against central finite
// differences of its float64 re-implementation (test/helpers/models64.ts, one per kind: a kind
// without one fails here). f32 gradients of an O(1) loss carry errors of a few 1e-7 per term;
// 2e-5 absolute + 1e-4 relative leaves room for that and nothing for a wrong index, transpose or
// missing term (those are off by O(gradient)).
const TOL = { atol: 2e-5, rtol: 1e-4 };
const V = 7;
const B = 9;

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

test('every model kind has a float64 reference and a small config for these tests', () => {
  expect(Object.keys(LOSS64).sort()).toEqual([...MODEL_KINDS].sort());
  expect(Object.keys(SMALL_CONFIGS).sort()).toEqual([...MODEL_KINDS].sort());
});

test.each(MODEL_KINDS)('%s: parameter gradients match finite differences on every backend', (kind) => {
  const config = SMALL_CONFIGS[kind] as ModelConfig;
  const window = MODELS[kind].window(config as never);
  const targets = B * targetsPerWindow({ length: window, predicts: MODELS[kind].predicts });
  const rng = new Rng(kind.length);
  const x = Int32Array.from({ length: B * window }, () => rng.int(V));
  const y = Int32Array.from({ length: targets }, () => rng.int(V));
  for (const be of backends) {
    // xavier init keeps the logits O(1); randn would saturate the softmax and hide errors.
    const model = createModel(be, config, V, { init: 'xavier', rng: new Rng(3) });
    const values = Object.fromEntries(model.params.map((p) => [p.name, Float64Array.from(p.value.f32())]));
    // Non-zero biases, so their gradients and the GELU's input shift are exercised.
    model.params.filter((p) => model.roles.get(p.name) === 'bias').forEach((p, i) => {
      const b = new Rng(10 + i).normals(p.value.size, 0.5);
      be.write(p.value, b);
      values[p.name] = Float64Array.from(b);
    });
    const tape = new Tape(be);
    const loss = tape.crossEntropy(model.forward(tape, be.fromArray([B, window], x, 'i32')).logits, be.fromArray([targets], y, 'i32'));
    tape.backward();

    const loss64 = (vals: Record<string, ArrayLike<number>>) => LOSS64[kind](config as never, vals, x, y, V);
    expectClose(`${be.name} ${kind} loss`, [loss], [loss64(values)], { rtol: 1e-6 });
    for (const p of model.params) {
      const expected = finiteDiff((pv) => loss64({ ...values, [p.name]: pv }), values[p.name], 1e-6);
      expectClose(`${be.name} ${kind} d${p.name}`, p.grad.f32(), expected, TOL);
    }
  }
});
