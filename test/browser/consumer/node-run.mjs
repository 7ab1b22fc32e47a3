// Run by the test with `node node-run.mjs STEPS BACKEND...`: prints where 'wasmgrad' resolved and the losses by preset/backend.
import { PRESET_NAMES, trainLosses } from './train.mjs';

const [steps, ...backends] = process.argv.slice(2);
const losses = {};
for (const preset of PRESET_NAMES) for (const name of backends) losses[`${preset}/${name}`] = await trainLosses(name, preset, Number(steps));
console.log(JSON.stringify({ resolved: import.meta.resolve('wasmgrad'), losses }));
