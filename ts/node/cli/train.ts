// `npm run train -- [options]` (in a checkout, bundled and run by scripts/checkout-cli.mjs); the package's bin runs the same command as `wasmgrad train`.
import { train } from './commands/train.js';
import { runCommand } from './run-cli.js';

runCommand(train, process.argv.slice(2), 'npm run train --');
