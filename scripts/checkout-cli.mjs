// `npm run train|sample|bench` in a checkout: bundles the command's TypeScript entry with esbuild
// (about 40 ms) and runs it in this process. tsx would compile it too, but its loader costs half a
// second at every start, a quarter of the default recipe's whole run.
//   node scripts/checkout-cli.mjs ts/node/cli/train.ts [options]
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [entry] = process.argv.splice(2, 1); // the entry reads its options from process.argv.slice(2)
// Two folders below the root, as dist/cli/ is: the code finds wasm/ and scripts/pytorch/ at '../../'.
// One file per process, so that two commands started together never read each other's half-written bundle.
const outfile = join(root, '.scratch', 'cli', `${entry.replace(/\W+/g, '-')}-${process.pid}.mjs`);
await build({ entryPoints: [join(root, entry)], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', sourcemap: 'inline', logLevel: 'warning' });
process.setSourceMapsEnabled(true); // stack traces name the TypeScript files
// On every exit, process.exit() included (the commands end with it); only a kill -9 leaves the file.
process.on('exit', () => rmSync(outfile, { force: true }));
await import(pathToFileURL(outfile).href);
