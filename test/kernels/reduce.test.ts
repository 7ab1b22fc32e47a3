import type { Backend } from '../../ts/backend/backend.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

test.each([1, 3, 5, 7, 65, 1024 * 65, 1024 * 128 + 1])('meanAbs, n = %i, against float64', (n) => {
  const x = new Rng(n).normals(n, 3);
  let sum = 0;
  for (const v of x) sum += Math.abs(v);
  for (const be of backends) {
    // f32 partial sums over blocks of 1024 (≤ 1024·2^-24 relative), then float64.
    expectClose(`${be.name} mean |x|`, [be.meanAbs(be.fromArray([n], x))], [sum / n], { rtol: 1024 * 2 ** -24 });
  }
});
