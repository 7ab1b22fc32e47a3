import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { attachPytorch, blasWarning, defaultPython, findTorch, medianKey, pytorchMedians } from '../../ts/bench/pytorch.js';
import type { BenchRecord } from '../../ts/bench/record.js';
import { STEP_CASES, stepConfig } from '../../ts/bench/step-suite.js';

// npm run bench's PyTorch column: scripts/pytorch/bench_steps.py under Debian's python3-torch
// (.ci/run installs it; WASMGRAD_PYTHON names another Python with torch). Few samples: the test
// checks what the script answers, never how fast anything is.
const SCRIPT = join(__dirname, '..', '..', 'scripts', 'pytorch', 'bench_steps.py');
const TINY = { warmupMs: 1, budgetMs: 1, minSamples: 3 };
const notebookMlp = STEP_CASES.find((c) => c.model.kind === 'mlp' && c.batch === 1024)!;

function benchSteps(request: object) {
  const r = spawnSync(defaultPython(), ['-B', SCRIPT], { input: JSON.stringify(request), encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ${defaultPython()} (${r.error.message}): install Debian's python3-torch, or set WASMGRAD_PYTHON to a Python with torch`);
  return r;
}

test('bench_steps.py times the notebook MLP step on one thread: one positive, finite median per case and thread count', () => {
  const r = benchSteps({ vocab: 65, tokens: 10_000, threads: [1], measure: TINY, steps: [{ id: 'mlp', config: stepConfig(notebookMlp) }] });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const answer = JSON.parse(r.stdout);
  expect(answer.torch).toMatch(/^\d+\.\d+/);
  expect(answer.results).toHaveLength(1);
  const [result] = answer.results;
  expect(Object.keys(result).sort()).toEqual(['id', 'medianMs', 'samples', 'threads']);
  expect(result).toMatchObject({ id: 'mlp', threads: 1 });
  expect(Number.isFinite(result.medianMs) && result.medianMs > 0).toBe(true);
  expect(result.samples).toBeGreaterThanOrEqual(TINY.minSamples);
});

test('bench_steps.py refuses a model kind it has no PyTorch version of, and says where to add it', () => {
  const r = benchSteps({ vocab: 65, tokens: 1000, threads: [1], measure: TINY, steps: [{ id: 'x', config: { ...stepConfig(notebookMlp), model: { kind: 'rnn' } } }] });
  expect(r.status).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/model kind 'rnn'.*Fix: add it to scripts\/pytorch\/char_models\.py/);
});

test("the bench's records of a step get PyTorch's median at their own thread count", () => {
  const record = (threads: number): BenchRecord => ({ suite: 'step', name: 'mlp', backend: 'wasm-simd', threads, shape: notebookMlp.shape, medianMs: 5, gflops: null, nsPerElement: null });
  const torch = findTorch();
  if ('absent' in torch) throw new Error(torch.absent);
  const answer = pytorchMedians(torch.python, [record(1)], TINY);
  if ('absent' in answer) throw new Error(answer.absent);
  expect([...answer.medians.keys()]).toEqual([medianKey(record(1))]);

  const records = [record(1), record(2), { ...record(1), name: 'linear', shape: [1024, 65] }];
  attachPytorch(records, new Map([[medianKey(record(1)), 3.3], [medianKey(record(2)), 2.0]]));
  expect(records.map((r) => r.pytorchMs)).toEqual([3.3, 2.0, undefined]);
});

test('findTorch names the BLAS library torch loaded; only a reference BLAS gets a warning with its fix', () => {
  const torch = findTorch();
  if ('absent' in torch) throw new Error(torch.absent);
  expect(torch.blas).toMatch(/blas/i);
  expect(existsSync(torch.blas)).toBe(true);
  expect(blasWarning('/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3')).toBeNull();
  expect(blasWarning('/usr/lib/x86_64-linux-gnu/blas/libblas.so.3')).toMatch(/^PyTorch runs on \/usr\/lib\/x86_64-linux-gnu\/blas\/libblas.so.3, not OpenBLAS: .*Fix: apt-get install libopenblas0-openmp/);
});

test('without a Python, or torch in it, no PyTorch column and a reason with its fix', () => {
  expect(findTorch('/nonexistent/python3')).toEqual({ absent: expect.stringMatching(/^cannot run \/nonexistent\/python3 .*Fix: install Debian's python3-torch/) });
  // A Python without torch, as far as the bench can tell: `import torch` fails with Python's message.
  const dir = mkdtempSync(join(tmpdir(), 'wasmgrad-python-'));
  try {
    const python = join(dir, 'python3');
    writeFileSync(python, `#!/bin/sh\necho "ModuleNotFoundError: No module named 'torch'" >&2\nexit 1\n`, { mode: 0o755 });
    expect(findTorch(python)).toEqual({ absent: expect.stringMatching(/cannot import torch \(ModuleNotFoundError: No module named 'torch'\)\. Fix: /) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
