// npm run bench [-- --json], npx wasmgrad bench [--json] [--suite kernel|step|loop] [--backend NAME] [--threads 1,2] [--quick] [--no-pytorch]
// Prints a table (to stderr with --json) and, with --json, the machine and the records as JSON on stdout.
// With a Python that has torch, the same steps and matmuls in PyTorch at the same thread counts, after ours.
import { availableParallelism, cpus } from 'node:os';
import { runKernelSuite } from '../../../bench/kernel-suite.js';
import { attachPytorch, blasWarning, findTorch, pytorchMedians } from '../../../bench/pytorch.js';
import { measureInterleaved } from '../../../bench/measure.js';
import { runLoopSuite } from '../../../bench/loop-suite.js';
import { runStepSuite } from '../../../bench/step-suite.js';
import type { BenchRecord } from '../../../bench/record.js';
import { formatTable } from '../../../bench/table.js';
import { BACKEND_NAMES } from '../../../backend/types.js';
import { choiceFlag, parseFlags, usage, type FlagSpec } from '../args.js';
import { CliExit, type Command } from '../run-cli.js';
import { loadBackend } from '../../backends.js';

const FLAGS = {
  json: { type: 'boolean', help: 'print the records as a JSON array on stdout (the table goes to stderr)' },
  suite: { type: 'string', value: 'S', help: 'kernel | step | loop (trainer.run vs a trainStep loop) (default: all three)' },
  backend: { type: 'string', value: 'B', help: `${BACKEND_NAMES.join(' | ')} (default: all three)` },
  threads: { type: 'string', value: 'N,M', help: 'wasm-simd at each of these thread counts, measured side by side (default: 1)' },
  quick: { type: 'boolean', help: 'shorter warm-up and sampling: rough numbers, fast' },
  'no-pytorch': { type: 'boolean', help: 'leave out the PyTorch column (default: measured when WASMGRAD_PYTHON or /usr/bin/python3 has torch)' },
  help: { type: 'boolean', help: 'show this help' },
} satisfies Record<string, FlagSpec>;

async function main(argv: string[], invokedAs: string): Promise<void> {
  const flags = parseFlags(argv, FLAGS, invokedAs);
  const suite = choiceFlag('suite', flags.suite, ['kernel', 'step', 'loop'] as const);
  const only = choiceFlag('backend', flags.backend, BACKEND_NAMES);
  const threadCounts = typeof flags.threads === 'string' ? threadList(flags.threads) : [1];
  if (flags.help) {
    process.stdout.write(usage(invokedAs, 'Kernel and training-step benchmarks on every backend.', FLAGS));
    return;
  }
  const json = Boolean(flags.json);
  const measureOptions = flags.quick ? { warmupMs: 100, budgetMs: 200, minSamples: 3 } : {};

  const log = json ? (s: string) => process.stderr.write(s + '\n') : (s: string) => process.stdout.write(s + '\n');
  // Numbers from two machines are never compared blindly: the JSON names the machine.
  const machine: { cpu: string; cores: number; node: string; torch?: string; blas?: string } = { cpu: cpus()[0]?.model ?? 'unknown CPU', cores: availableParallelism(), node: process.version };
  log(`wasmgrad bench · Node ${machine.node} · ${machine.cpu} · ${machine.cores} cores`);
  // Looked for first, so that a missing torch is said before the long run rather than after it.
  const torch = flags['no-pytorch'] ? null : findTorch();
  if (torch && 'absent' in torch) log(`PyTorch column absent: ${torch.absent}`);
  else if (torch) {
    log(`PyTorch ${torch.version} (${torch.python}, BLAS ${torch.blas}), measured after wasmgrad at the same thread counts`);
    const warning = blasWarning(torch.blas);
    if (warning) log(`warning: ${warning}`);
  }

  const records: BenchRecord[] = [];
  const onRecord = (r: BenchRecord) => {
    records.push(r);
    if (!json) process.stderr.write(`  ${r.suite} ${r.backend}${r.threads > 1 ? `×${r.threads}` : ''} ${r.name} ${r.shape.join('x')}: ${r.medianMs.toFixed(4)} ms\n`);
  };
  for (const name of BACKEND_NAMES.filter((b) => !only || b === only)) {
    // wasm-simd at every thread count asked for, side by side; the others on one thread.
    const backends = await Promise.all((name === 'wasm-simd' ? threadCounts : [1]).map((threads) => loadBackend(name, { threads })));
    if (!suite || suite === 'kernel') runKernelSuite(backends, onRecord, measureOptions);
    if (!suite || suite === 'step') runStepSuite(backends, onRecord, measureOptions);
    if (!suite || suite === 'loop') await runLoopSuite(backends[0], onRecord, measureOptions);
    const pooled = backends.filter((be) => be.threadCount > 1);
    if (pooled.length > 0 && (!suite || suite === 'kernel')) {
      // What one divided call costs with no work in it: waking the workers and waiting for them.
      const medians = measureInterleaved(pooled.map((be) => () => be.emptySharedCall()), measureOptions);
      pooled.forEach((be, i) => onRecord({ suite: 'kernel', name: 'empty call', backend: be.name, threads: be.threadCount, shape: [], medianMs: medians[i], gflops: null, nsPerElement: null }));
    }
    backends.forEach((be) => be.dispose());
  }
  if (torch && 'version' in torch) {
    // After ours, not beside them: the python process would share the cores with our samples.
    if (!json) process.stderr.write('  PyTorch: the same cases in scripts/pytorch/bench_steps.py\n');
    const answer = pytorchMedians(torch.python, records, measureOptions);
    if ('absent' in answer) log(`PyTorch column absent: ${answer.absent}`);
    else {
      attachPytorch(records, answer.medians);
      machine.torch = torch.version;
      machine.blas = torch.blas;
    }
  }
  log('');
  log(formatTable(records));
  for (const line of loopOverheads(records)) log(line);
  if (json) process.stdout.write(JSON.stringify({ machine, records }, null, 2) + '\n');
}

export const bench: Command = { summary: 'time the kernels and whole training steps on every backend (and PyTorch, when there)', run: main };

/** --threads 1,2: distinct integers from 1 to 64, in the order given. */
function threadList(raw: string): number[] {
  const list = raw.split(',').map((t) => Number(t.trim()));
  if (list.length === 0 || list.some((t) => !Number.isInteger(t) || t < 1 || t > 64) || new Set(list).size !== list.length) {
    throw new CliExit(2, `error: --threads ${raw} is not a list of distinct integers from 1 to 64. Fix: pass e.g. --threads 1,2.`);
  }
  return list;
}

/** The loop suite's answer, per backend: a step in trainer.run over a step in a trainStep loop. */
function loopOverheads(records: BenchRecord[]): string[] {
  return records
    .filter((r) => r.suite === 'loop' && r.name === 'trainer.run')
    .map((run) => {
      const loop = records.find((r) => r.suite === 'loop' && r.name === 'trainStep loop' && r.backend === run.backend)!;
      const overhead = 100 * (run.medianMs / loop.medianMs - 1);
      return `trainer.run on ${run.backend}: ${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)}% per step over a trainStep loop (the default recipe, ${loop.medianMs.toFixed(3)} vs ${run.medianMs.toFixed(3)} ms)`;
    });
}
