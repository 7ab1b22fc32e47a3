import type { Backend } from '../../ts/backend/backend.js';
import { Tape } from '../../ts/autograd/tape.js';
import { createModel } from '../../ts/nn/models.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import { linearLoss64, mlpLoss64 } from '../helpers/models64.js';
import { finiteDiff } from '../helpers/reference.js';

// Whole models, forward and backward through the tape, against central finite differences of
// float64 re-implementations (test/helpers/models64.ts). f32 gradients of an O(1) loss carry
// errors of a few 1e-7 per term; 2e-5 absolute + 1e-4 relative leaves room for that and nothing
// for a wrong index, transpose or missing term (those are off by O(gradient)).
const TOL = { atol: 2e-5, rtol: 1e-4 };
const V = 7;
const H = 5;
const N = 9;

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

function batch(seed: number) {
  const rng = new Rng(seed);
  return { x: Int32Array.from({ length: N }, () => rng.int(V)), y: Int32Array.from({ length: N }, () => rng.int(V)) };
}

test.each(['linear', 'mlp'] as const)('%s: parameter gradients match finite differences on every backend', (kind) => {
  const { x, y } = batch(kind === 'mlp' ? 1 : 2);
  for (const be of backends) {
    // xavier init keeps the logits O(1); randn would saturate the softmax and hide errors.
    const model = createModel(be, { kind, vocabSize: V, hidden: H, init: 'xavier' }, { rng: new Rng(3) });
    const values = Object.fromEntries(model.params.map((p) => [p.name, Float64Array.from(p.value.f32())]));
    // Non-zero biases, so their gradients and the GELU's input shift are exercised.
    model.params.filter((p) => p.shape.length === 1).forEach((p, i) => {
      const b = new Rng(10 + i).normals(p.value.size, 0.5);
      be.write(p.value, b);
      values[p.name] = Float64Array.from(b);
    });
    const tape = new Tape(be);
    const inputs = be.fromArray([N], x, 'i32');
    const targets = be.fromArray([N], y, 'i32');
    const loss = tape.crossEntropy(model.forward(tape, inputs).logits, targets);
    tape.backward();

    const loss64 = (vals: Record<string, ArrayLike<number>>) =>
      kind === 'linear' ? linearLoss64(vals.m, vals.q, x, y, V) : mlpLoss64(vals.w1, vals.b1, vals.w2, vals.b2, x, y, V, H);
    expectClose(`${be.name} ${kind} loss`, [loss], [loss64(values)], { rtol: 1e-6 });
    for (const p of model.params) {
      const expected = finiteDiff((pv) => loss64({ ...values, [p.name]: pv }), values[p.name], 1e-6);
      expectClose(`${be.name} ${kind} d${p.name}`, p.grad.f32(), expected, TOL);
    }
  }
});
