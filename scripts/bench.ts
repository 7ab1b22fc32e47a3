// npm run bench [-- --json] [--suite kernel|step] [--backend NAME] [--quick]
// Prints a table (to stderr with --json) and, with --json, a JSON array of records on stdout.
import { cpus } from 'node:os';
import { runKernelSuite } from '../ts/bench/kernel-suite.js';
import { runStepSuite } from '../ts/bench/step-suite.js';
import type { BenchRecord } from '../ts/bench/record.js';
import { formatTable } from '../ts/bench/table.js';
import { BACKEND_NAMES } from '../ts/backend/types.js';
import { choiceFlag, parseFlags, usage, type FlagSpec } from '../ts/node/cli/args.js';
import { CliExit } from '../ts/node/cli/run-cli.js';
import { loadBackend } from '../ts/node/backends.js';

const COMMAND = 'npm run bench';
const FLAGS = {
  json: { type: 'boolean', help: 'print the records as a JSON array on stdout (the table goes to stderr)' },
  suite: { type: 'string', value: 'S', help: 'kernel | step (default: both)' },
  backend: { type: 'string', value: 'B', help: `${BACKEND_NAMES.join(' | ')} (default: all three)` },
  quick: { type: 'boolean', help: 'shorter warm-up and sampling: rough numbers, fast' },
  help: { type: 'boolean', help: 'show this help' },
} satisfies Record<string, FlagSpec>;

let flags;
let suite: 'kernel' | 'step' | undefined;
let only: (typeof BACKEND_NAMES)[number] | undefined;
try {
  flags = parseFlags(process.argv.slice(2), FLAGS, COMMAND);
  suite = choiceFlag('suite', flags.suite, ['kernel', 'step'] as const);
  only = choiceFlag('backend', flags.backend, BACKEND_NAMES);
} catch (e) {
  process.stderr.write(`${(e as CliExit).message}\n`);
  process.exit((e as CliExit).code ?? 2);
}
if (flags.help) {
  process.stdout.write(usage(COMMAND, 'Kernel and training-step benchmarks on every backend.', FLAGS));
  process.exit(0);
}
const json = Boolean(flags.json);
const measureOptions = flags.quick ? { warmupMs: 100, budgetMs: 200, minSamples: 3 } : {};

const log = json ? (s: string) => process.stderr.write(s + '\n') : (s: string) => process.stdout.write(s + '\n');
log(`wasmgrad bench · Node ${process.version} · ${cpus()[0]?.model ?? 'unknown CPU'} · ${cpus().length} cores`);

const records: BenchRecord[] = [];
for (const name of BACKEND_NAMES.filter((b) => !only || b === only)) {
  const be = await loadBackend(name);
  const onRecord = (r: BenchRecord) => {
    records.push(r);
    if (!json) process.stderr.write(`  ${r.suite} ${r.backend} ${r.name} ${r.shape.join('x')}: ${r.medianMs.toFixed(4)} ms\n`);
  };
  if (suite !== 'step') runKernelSuite(be, onRecord, measureOptions);
  if (suite !== 'kernel') runStepSuite(be, onRecord, measureOptions);
}
log('');
log(formatTable(records));
if (json) process.stdout.write(JSON.stringify(records, null, 2) + '\n');
