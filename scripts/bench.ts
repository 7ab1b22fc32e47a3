// npm run bench [-- --json] [--suite kernel|step] [--backend NAME] [--quick]
// Prints a table (to stderr with --json) and, with --json, a JSON array of records on stdout.
import { cpus } from 'node:os';
import { runKernelSuite } from '../ts/bench/kernel-suite.js';
import { runStepSuite } from '../ts/bench/step-suite.js';
import type { BenchRecord } from '../ts/bench/record.js';
import { formatTable } from '../ts/bench/table.js';
import { BACKEND_NAMES, type BackendName } from '../ts/backend/types.js';
import { loadBackend } from '../ts/node/backends.js';

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const known = new Set(['--json', '--suite', '--backend', '--quick']);
for (let i = 0; i < argv.length; i++) {
  if (!known.has(argv[i])) {
    console.error(`bench: unknown argument '${argv[i]}'. Usage: npm run bench -- [--json] [--suite kernel|step] [--backend ${BACKEND_NAMES.join('|')}] [--quick]`);
    process.exit(2);
  }
  if (argv[i] === '--suite' || argv[i] === '--backend') i++;
}
const suite = flag('--suite') ?? 'all';
if (!['all', 'kernel', 'step'].includes(suite)) {
  console.error(`bench: unknown suite '${suite}'. Fix: use --suite kernel or --suite step, or omit it.`);
  process.exit(2);
}
const only = flag('--backend');
if (only !== undefined && !BACKEND_NAMES.includes(only as BackendName)) {
  console.error(`bench: unknown backend '${only}'. Fix: use one of ${BACKEND_NAMES.join(', ')}.`);
  process.exit(2);
}
const measureOptions = argv.includes('--quick') ? { warmupMs: 100, budgetMs: 200, minSamples: 3 } : {};

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
