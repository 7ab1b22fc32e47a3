// Node only (it runs Python): the bench command (ts/node/cli/commands/bench.ts) imports it; ts/browser.ts and the playground never do.
// The bin finds scripts/pytorch/ two folders up from dist/cli/ as the source does from ts/bench/: package.json ships it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MATMUL_CASES } from './kernel-suite.js';
import type { MeasureOptions } from './measure.js';
import { caseKey, type BenchRecord } from './record.js';
import { STEP_CASES, TEXT_LENGTH, VOCAB, stepConfig } from './step-suite.js';

/** The Python that runs PyTorch: Debian's, with python3-torch, as the interop tests use it. */
export const defaultPython = (): string => process.env.WASMGRAD_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../scripts/pytorch/bench_steps.py', import.meta.url));
const FIX = "Fix: install Debian's python3-torch (apt-get install python3-torch), or set WASMGRAD_PYTHON to a Python with torch; --no-pytorch leaves the column out.";

/**
 * A Python with torch and the BLAS library its process loaded (Debian's torch calls the system's
 * libblas.so.3 for CPU matmuls: OpenBLAS, or the reference BLAS, many times slower), or why there is none.
 */
export type Torch = { python: string; version: string; blas: string } | { absent: string };

/** Imports torch, runs one matmul, prints its version and the BLAS file mapped into the process. */
const PROBE = [
  'import torch',
  'torch.ones(64, 64) @ torch.ones(64, 64)',
  "blas = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.rsplit('/', 1)[-1]} or {'unknown'})",
  "print(torch.__version__ + ' ' + blas[0])",
].join('\n');

/** A warning for a BLAS that makes PyTorch's column meaningless, or null. */
export function blasWarning(blas: string): string | null {
  if (/openblas|mkl|blis/i.test(blas)) return null;
  return `PyTorch runs on ${blas}, not OpenBLAS: the reference BLAS is many times slower, so its column would flatter wasmgrad. Fix: apt-get install libopenblas0-openmp (Debian then points libblas.so.3 at it).`;
}

/** PyTorch's median ms per (case, threads) (see `medianKey`), or why there are none. */
export type TorchMedians = { medians: Map<string, number> } | { absent: string };

const at = (key: string, threads: number) => `${key}@${threads}`;
export const medianKey = (r: Pick<BenchRecord, 'suite' | 'name' | 'shape' | 'threads'>): string => at(caseKey(r), r.threads);

/** Whether `python` imports torch (about a second: torch's own import). */
export function findTorch(python = defaultPython()): Torch {
  const r = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { absent: `cannot run ${python} (${r.error.message}). ${FIX}` };
  if (r.status !== 0) return { absent: `${python} cannot import torch (${lastLine(r.stderr)}). ${FIX}` };
  const [version, blas] = r.stdout.trim().split(' ');
  return { python, version, blas };
}

/**
 * Runs scripts/pytorch/bench_steps.py once for the step cases and matmuls among `records`, at each
 * of their thread counts, sampled as `options` says.
 */
export function pytorchMedians(python: string, records: readonly BenchRecord[], options: MeasureOptions = {}): TorchMedians {
  const keys = new Set(records.map(caseKey));
  const threads = [...new Set(records.map((r) => r.threads))].sort((a, b) => a - b);
  const steps = STEP_CASES.map((c) => ({ id: caseKey({ suite: 'step', name: c.model.kind, shape: c.shape }), config: stepConfig(c) })).filter((c) => keys.has(c.id));
  const matmuls = MATMUL_CASES.map(({ name, shape }) => ({ id: caseKey({ suite: 'kernel', name, shape }), name, shape })).filter((c) => keys.has(c.id));
  if (steps.length + matmuls.length === 0) return { medians: new Map() };
  const request = { vocab: VOCAB, tokens: TEXT_LENGTH, threads, measure: options, steps, matmuls };
  // -B: importing scripts/pytorch/'s modules writes no __pycache__ into the checkout.
  const r = spawnSync(python, ['-B', SCRIPT], { input: JSON.stringify(request), encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 16 << 20 });
  if (r.error) return { absent: `${python} ${SCRIPT} did not finish (${r.error.message}).` };
  if (r.status !== 0) return { absent: `${SCRIPT} failed: ${lastLine(r.stderr)}` };
  const answer = parseAnswer(r.stdout);
  if (typeof answer === 'string') return { absent: answer };
  return { medians: new Map(answer.map(({ id, threads: t, medianMs }) => [at(id, t), medianMs])) };
}

/** Gives every record PyTorch's time for its case at its thread count, where there is one. */
export function attachPytorch(records: BenchRecord[], medians: ReadonlyMap<string, number>): void {
  for (const r of records) {
    const ms = medians.get(medianKey(r));
    if (ms !== undefined) r.pytorchMs = ms;
  }
}

interface TorchResult {
  id: string;
  threads: number;
  medianMs: number;
}

/** bench_steps.py's results, checked (a wrong answer is the script's bug, not a number to print), or what is wrong with them. */
function parseAnswer(stdout: string): TorchResult[] | string {
  let answer: { results?: unknown };
  try {
    answer = JSON.parse(stdout);
  } catch {
    return `${SCRIPT} printed no JSON answer: ${JSON.stringify(stdout.slice(0, 200))}`;
  }
  const results = answer.results;
  const ok = (x: unknown): x is TorchResult => {
    const r = x as TorchResult;
    return typeof r?.id === 'string' && Number.isInteger(r.threads) && Number.isFinite(r.medianMs) && r.medianMs > 0;
  };
  if (!Array.isArray(results) || !results.every(ok)) return `${SCRIPT} answered without {id, threads, medianMs > 0} results: ${stdout.slice(0, 200)}`;
  return results;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() || 'no message';
}
