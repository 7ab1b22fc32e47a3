// `npm run sample -- [options]` (in a checkout, bundled and run by scripts/checkout-cli.mjs); the package's bin runs the same command as `wasmgrad sample`.
import { sample } from './commands/sample.js';
import { runCommand } from './run-cli.js';

runCommand(sample, process.argv.slice(2), 'npm run sample --');
