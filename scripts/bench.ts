// `npm run bench -- [options]` (in a checkout, bundled and run by scripts/checkout-cli.mjs); the package's bin runs the same command as `wasmgrad bench`.
import { bench } from '../ts/node/cli/commands/bench.js';
import { runCommand } from '../ts/node/cli/run-cli.js';

runCommand(bench, process.argv.slice(2), 'npm run bench --');
