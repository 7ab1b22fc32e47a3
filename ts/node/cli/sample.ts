// `npm run sample -- [options]` (tsx, in a checkout); the package's bin runs the same command as `wasmgrad sample`.
import { sample } from './commands/sample.js';
import { runCommand } from './run-cli.js';

runCommand(sample, process.argv.slice(2), 'npm run sample --');
