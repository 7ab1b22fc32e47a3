import type { Backend } from '../../ts/backend/backend.js';
import { WasmgradError } from '../../ts/backend/errors.js';
import { Tape } from '../../ts/autograd/tape.js';
import { Parameter } from '../../ts/autograd/variable.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import { finiteDiff, gelu64, matmul64, softmaxXent64 } from '../helpers/reference.js';

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

const param = (be: Backend, name: string, shape: number[], data: ArrayLike<number>) => new Parameter(name, be.fromArray(shape, data), be.tensor(shape));

// The ops the models do not use — a dense input with a gradient, the out-of-place addBias — in a
// graph where w feeds two matmuls, so its gradient must add both contributions:
//   logits = gelu(x @ w + b) @ w
test('dense matmul, addBias, and a weight used twice: gradients match finite differences', () => {
  const [n, m] = [4, 5];
  const rng = new Rng(9);
  const X = rng.normals(n * m);
  const W = rng.normals(m * m, 0.6);
  const B = rng.normals(m, 0.3);
  const targets = Int32Array.from({ length: n }, () => rng.int(m));
  const loss64 = (x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>) => {
    const h = matmul64(x, w, n, m, m, false, false).out.map((val, i) => gelu64(val + b[i % m]));
    const logits = matmul64(h, w, n, m, m, false, false).out;
    return softmaxXent64(logits, targets, n, m).losses.reduce((a, c) => a + c, 0) / n;
  };
  for (const be of backends) {
    const [x, w, b] = [param(be, 'x', [n, m], X), param(be, 'w', [m, m], W), param(be, 'b', [m], B)];
    const tape = new Tape(be);
    const loss = tape.crossEntropy(tape.matmul(tape.gelu(tape.addBias(tape.matmul(x, w), b)), w), be.fromArray([n], targets, 'i32'));
    tape.backward();
    expectClose(`${be.name} loss`, [loss], [loss64(X, W, B)], { rtol: 1e-6 });
    const tol = { atol: 2e-5, rtol: 1e-4 };
    expectClose(`${be.name} dx`, x.grad.f32(), finiteDiff((v) => loss64(v, W, B), X, 1e-6), tol);
    expectClose(`${be.name} dw`, w.grad.f32(), finiteDiff((v) => loss64(X, v, B), W, 1e-6), tol);
    expectClose(`${be.name} db`, b.grad.f32(), finiteDiff((v) => loss64(X, W, v), B, 1e-6), tol);
  }
});

test('repeated passes reuse their buffers: no memory is allocated after the first', () => {
  for (const be of backends) {
    const w = param(be, 'w', [6, 8], new Rng(1).normals(48));
    const b = param(be, 'b', [8], new Rng(2).normals(8));
    const idx = be.fromArray([16], Int32Array.from({ length: 16 }, (_, i) => i % 6), 'i32');
    const tape = new Tape(be);
    const pass = () => {
      tape.reset();
      tape.crossEntropy(tape.gelu(tape.embedding(idx, w, b)), idx);
      tape.backward();
    };
    pass();
    const inUse = be.bytesInUse;
    for (let i = 0; i < 20; i++) pass();
    expect(be.bytesInUse).toBe(inUse);
  }
});

test('an evaluation tape records nothing and allocates no gradients', () => {
  const be = backends[0];
  const w = param(be, 'w', [3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const tape = new Tape(be, false);
  const logits = tape.embedding(be.fromArray([2], [0, 2], 'i32'), w);
  expect(logits.grad).toBeNull();
  expect(Array.from(logits.value.f32())).toEqual([1, 2, 3, 7, 8, 9]);
  expect(() => tape.backward()).toThrow(/does not record/);
});

test('misuse gets a clear error', () => {
  const be = backends[0];
  const tape = new Tape(be);
  const w = param(be, 'w', [4, 2], new Float32Array(8));
  expect(() => tape.backward()).toThrow(/no loss was computed/);
  expect(() => tape.embedding(be.fromArray([3], [0, 1, 4], 'i32'), w)).toThrow(WasmgradError);
  expect(() => tape.embedding(be.fromArray([3], [0, 1, 4], 'i32'), w)).toThrow(/idx\[2\] = 4 is outside \[0, 4\).*Fix: every idx must be a valid row of weight/);
  expect(() => tape.embedding(be.tensor([3]), w)).toThrow(/indices must be an i32 tensor, got f32\(3\)/);
  expect(() => tape.view(w, [3, 3])).toThrow(/cannot be viewed as \(3,3\)/);
});

// A window model's graph: indices (B,T) → embedding (B,T,E) → view (B,T·E) → linear → gelu →
// linear → loss. Views carry the gradients back without a copy; every gradient against float64
// finite differences.
test('embedding over (B,T), a view and a linear over folded rows: gradients match finite differences', () => {
  const [batch, time, vocab, emb, hidden] = [3, 4, 5, 2, 6];
  const rng = new Rng(11);
  const idx = Int32Array.from({ length: batch * time }, () => rng.int(vocab));
  const targets = Int32Array.from({ length: batch }, () => rng.int(vocab));
  const E = rng.normals(vocab * emb);
  const W1 = rng.normals(time * emb * hidden, 0.5);
  const B1 = rng.normals(hidden, 0.1);
  const W2 = rng.normals(hidden * vocab, 0.5);
  const B2 = rng.normals(vocab, 0.1);
  const loss64 = (e: ArrayLike<number>, w1: ArrayLike<number>, w2: ArrayLike<number>) => {
    const x = Float64Array.from({ length: batch * time * emb }, (_, i) => e[idx[Math.floor(i / emb)] * emb + (i % emb)]);
    const h = matmul64(x, w1, batch, time * emb, hidden, false, false).out.map((v, i) => gelu64(v + B1[i % hidden]));
    const logits = matmul64(h, w2, batch, hidden, vocab, false, false).out.map((v, i) => v + B2[i % vocab]);
    return softmaxXent64(logits, targets, batch, vocab).losses.reduce((a, c) => a + c, 0) / batch;
  };
  for (const be of backends) {
    const e = param(be, 'e', [vocab, emb], E);
    const w1 = param(be, 'w1', [time * emb, hidden], W1);
    const b1 = param(be, 'b1', [hidden], B1);
    const w2 = param(be, 'w2', [hidden, vocab], W2);
    const b2 = param(be, 'b2', [vocab], B2);
    const tape = new Tape(be);
    const emb3 = tape.embedding(be.fromArray([batch, time], idx, 'i32'), e);
    expect(emb3.shape).toEqual([batch, time, emb]);
    const h = tape.gelu(tape.linear(tape.view(emb3, [batch, -1]), w1, b1));
    const loss = tape.crossEntropy(tape.linear(h, w2, b2), be.fromArray([batch], targets, 'i32'));
    tape.backward();
    expectClose(`${be.name} loss`, [loss], [loss64(E, W1, W2)], { rtol: 1e-6 });
    const tol = { atol: 2e-5, rtol: 1e-4 };
    expectClose(`${be.name} de`, e.grad.f32(), finiteDiff((v) => loss64(v, W1, W2), E, 1e-6), tol);
    expectClose(`${be.name} dw1`, w1.grad.f32(), finiteDiff((v) => loss64(E, v, W2), W1, 1e-6), tol);
    expectClose(`${be.name} dw2`, w2.grad.f32(), finiteDiff((v) => loss64(E, W1, v), W2, 1e-6), tol);
  }
});

test('linear folds leading dimensions: (B,T,C) @ (C,D) + b is (B,T,D), row for row the 2-D product', () => {
  for (const be of backends) {
    const rng = new Rng(12);
    const X = rng.normals(2 * 3 * 4);
    const w = param(be, 'w', [4, 5], rng.normals(20));
    const b = param(be, 'b', [5], rng.normals(5));
    const tape = new Tape(be, false);
    const y3 = tape.linear(new Parameter('x', be.fromArray([2, 3, 4], X), be.tensor([2, 3, 4])), w, b);
    const y2 = tape.linear(new Parameter('x2', be.fromArray([6, 4], X), be.tensor([6, 4])), w, b);
    expect(y3.shape).toEqual([2, 3, 5]);
    expect(y3.value.toArray()).toEqual(y2.value.toArray());
  }
});

// A pre-LayerNorm residual block's skeleton: out = x + layerNorm(x) (gain, bias), logits = out @ w.
// x reaches the loss along two paths; every gradient against float64 finite differences.
test('layerNorm and a residual add: gradients match finite differences', () => {
  const [n, c] = [3, 6];
  const rng = new Rng(13);
  const X = rng.normals(n * c);
  const G = Float32Array.from(rng.normals(c, 0.3), (v) => 1 + v);
  const Bv = rng.normals(c, 0.3);
  const W = rng.normals(c * c, 0.5);
  const targets = Int32Array.from({ length: n }, () => rng.int(c));
  const loss64 = (x: ArrayLike<number>, g: ArrayLike<number>, b: ArrayLike<number>, w: ArrayLike<number>) => {
    const out = new Float64Array(n * c);
    for (let r = 0; r < n; r++) {
      let m = 0;
      for (let j = 0; j < c; j++) m += x[r * c + j] / c;
      let v = 0;
      for (let j = 0; j < c; j++) v += (x[r * c + j] - m) ** 2 / c;
      for (let j = 0; j < c; j++) out[r * c + j] = x[r * c + j] + ((x[r * c + j] - m) / Math.sqrt(v + 1e-5)) * g[j] + b[j];
    }
    return softmaxXent64(matmul64(out, w, n, c, c, false, false).out, targets, n, c).losses.reduce((a, l) => a + l, 0) / n;
  };
  for (const be of backends) {
    const [x, g, b, w] = [param(be, 'x', [n, c], X), param(be, 'g', [c], G), param(be, 'b', [c], Bv), param(be, 'w', [c, c], W)];
    const tape = new Tape(be);
    const loss = tape.crossEntropy(tape.matmul(tape.add(x, tape.layerNorm(x, g, b)), w), be.fromArray([n], targets, 'i32'));
    tape.backward();
    expectClose(`${be.name} loss`, [loss], [loss64(X, G, Bv, W)], { rtol: 1e-6 });
    const tol = { atol: 2e-5, rtol: 1e-4 };
    expectClose(`${be.name} dx`, x.grad.f32(), finiteDiff((v) => loss64(v, G, Bv, W), X, 1e-6), tol);
    expectClose(`${be.name} dg`, g.grad.f32(), finiteDiff((v) => loss64(X, v, Bv, W), G, 1e-6), tol);
    expectClose(`${be.name} db`, b.grad.f32(), finiteDiff((v) => loss64(X, G, v, W), Bv, 1e-6), tol);
    expectClose(`${be.name} dw`, w.grad.f32(), finiteDiff((v) => loss64(X, G, Bv, v), W, 1e-6), tol);
  }
});

// An attention block's core, as nanoGPT's CausalSelfAttention: qkv = x @ w_attn, y = attention(qkv) @ w_proj.
test('attention between two linear maps: gradients match finite differences', () => {
  const [batch, t, c, heads, vocab] = [2, 4, 6, 2, 5];
  const rng = new Rng(17);
  const X = rng.normals(batch * t * c);
  const Wa = rng.normals(c * 3 * c, 0.4);
  const Wp = rng.normals(c * vocab, 0.4);
  const targets = Int32Array.from({ length: batch * t }, () => rng.int(vocab));
  const loss64 = (x: ArrayLike<number>, wa: ArrayLike<number>, wp: ArrayLike<number>) => {
    const qkv = matmul64(x, wa, batch * t, c, 3 * c, false, false).out;
    const hs = c / heads;
    const y = new Float64Array(batch * t * c);
    for (let b = 0; b < batch; b++) for (let h = 0; h < heads; h++) for (let i = 0; i < t; i++) {
      const pre = Array.from({ length: i + 1 }, (_, j) => {
        let s = 0;
        for (let d = 0; d < hs; d++) s += qkv[(b * t + i) * 3 * c + h * hs + d] * qkv[(b * t + j) * 3 * c + c + h * hs + d];
        return s / Math.sqrt(hs);
      });
      const m = Math.max(...pre);
      const e = pre.map((p) => Math.exp(p - m));
      const sum = e.reduce((a, v) => a + v, 0);
      for (let d = 0; d < hs; d++) y[(b * t + i) * c + h * hs + d] = e.reduce((a, w, j) => a + (w / sum) * qkv[(b * t + j) * 3 * c + 2 * c + h * hs + d], 0);
    }
    const logits = matmul64(y, wp, batch * t, c, vocab, false, false).out;
    return softmaxXent64(logits, targets, batch * t, vocab).losses.reduce((a, l) => a + l, 0) / (batch * t);
  };
  for (const be of backends) {
    const [x, wa, wp] = [param(be, 'x', [batch, t, c], X), param(be, 'wa', [c, 3 * c], Wa), param(be, 'wp', [c, vocab], Wp)];
    const zero = (n: number, name: string) => param(be, name, [n], new Float32Array(n));
    const tape = new Tape(be);
    const qkv = tape.linear(x, wa, zero(3 * c, 'ba'));
    const y = tape.attention(qkv, heads);
    expect(y.shape).toEqual([batch, t, c]);
    const logits = tape.view(tape.linear(y, wp, zero(vocab, 'bp')), [batch * t, vocab]);
    const loss = tape.crossEntropy(logits, be.fromArray([batch * t], targets, 'i32'));
    tape.backward();
    expectClose(`${be.name} loss`, [loss], [loss64(X, Wa, Wp)], { rtol: 1e-6 });
    const tol = { atol: 2e-5, rtol: 1e-4 };
    expectClose(`${be.name} dx`, x.grad.f32(), finiteDiff((v) => loss64(v, Wa, Wp), X, 1e-6), tol);
    expectClose(`${be.name} dw_attn`, wa.grad.f32(), finiteDiff((v) => loss64(X, v, Wp), Wa, 1e-6), tol);
    expectClose(`${be.name} dw_proj`, wp.grad.f32(), finiteDiff((v) => loss64(X, Wa, v), Wp, 1e-6), tol);
  }
});
