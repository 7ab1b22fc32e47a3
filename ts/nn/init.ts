import { WasmgradError } from '../backend/errors.js';
import type { Rng } from '../util/rng.js';
import type { ParameterSpec } from './model.js';

/**
 * How parameters start, by their role. A gain always starts at 1.
 * - randn: every weight, bias and embedding ~ N(0, 1), the notebook's `torch.randn` (cells B, C).
 * - normalized: randn, then `p /= torch.norm(p, dim=0)` as the notebook's cell E does it: each
 *   column of a matrix gets unit norm, a bias vector gets unit norm as a whole.
 * - kaiming: weights ~ N(0, 2 / fan_in) (He et al., for ReLU-like units such as GELU), biases 0,
 *   embeddings N(0, 1) (a row is looked up, not summed over fan_in inputs).
 * - xavier: weights ~ N(0, 2 / (fan_in + fan_out)) (Glorot & Bengio), biases 0, embeddings N(0, 1).
 * - gpt2: weights and embeddings ~ N(0, 0.02), times the spec's initScale (nanoGPT's residual
 *   projections), biases 0: GPT-2's and nanoGPT's `_init_weights`.
 */
export type InitName = 'randn' | 'normalized' | 'kaiming' | 'xavier' | 'gpt2';
export const INIT_NAMES: readonly InitName[] = ['randn', 'normalized', 'kaiming', 'xavier', 'gpt2'];

/**
 * Initial values of one parameter. Weights are (rows = fan_in, cols = fan_out), the notebook's
 * (in, out), unless the spec says 'out-in'. Draws from `rng` only what the values need (zeros and
 * ones draw nothing).
 */
export function initialValues(init: InitName, spec: Pick<ParameterSpec, 'shape' | 'role' | 'layout' | 'initScale'>, rng: Rng): Float32Array {
  if (!INIT_NAMES.includes(init)) throw new WasmgradError(`unknown init '${init}'. Fix: use one of ${INIT_NAMES.join(', ')}.`);
  const { shape, role } = spec;
  const size = shape.reduce((a, b) => a * b, 1);
  if (role === 'gain') return new Float32Array(size).fill(1);
  if (init === 'gpt2') return role === 'bias' ? new Float32Array(size) : rng.normals(size, 0.02 * (spec.initScale ?? 1));
  const scaled = init === 'kaiming' || init === 'xavier';
  if (scaled && role === 'bias') return new Float32Array(size);
  const values = rng.normals(size);
  if (init === 'randn' || (scaled && role === 'embedding')) return values;
  const isMatrix = shape.length === 2;
  if (init === 'normalized') return isMatrix ? normalizeColumns(values, shape[0], shape[1]) : scale(values, 1 / norm(values));
  if (!isMatrix) throw new WasmgradError(`${init} init needs a 2-D weight (fan_in, fan_out), got shape (${shape.join(',')}). Fix: declare the parameter (in, out).`);
  const [fanIn, fanOut] = spec.layout === 'out-in' ? [shape[1], shape[0]] : shape;
  const std = init === 'kaiming' ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
  return scale(values, std);
}

function normalizeColumns(values: Float32Array, rows: number, cols: number): Float32Array {
  const norms = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) norms[j] += values[i * cols + j] ** 2;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) values[i * cols + j] /= Math.sqrt(norms[j]);
  return values;
}

function norm(values: Float32Array): number {
  let s = 0;
  for (const v of values) s += v * v;
  return Math.sqrt(s);
}

function scale(values: Float32Array, factor: number): Float32Array {
  for (let i = 0; i < values.length; i++) values[i] *= factor;
  return values;
}
