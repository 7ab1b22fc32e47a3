// Run by the test with `node node-run.mjs STEPS BACKEND...`: prints where 'wasmgrad' resolved and the losses.
import { trainLosses } from './train.mjs';

const [steps, ...backends] = process.argv.slice(2);
const losses = {};
for (const name of backends) losses[name] = await trainLosses(name, Number(steps));
console.log(JSON.stringify({ resolved: import.meta.resolve('wasmgrad'), losses }));
