// Run by the test with `node node-run.mjs STEPS BACKEND...`: prints where 'wasmgrad' resolved and each preset/backend's losses and sample.
import { PRESET_NAMES, trainAndSample } from './train.mjs';

const [steps, ...backends] = process.argv.slice(2);
const results = {};
for (const preset of PRESET_NAMES) for (const name of backends) results[`${preset}/${name}`] = await trainAndSample(name, preset, Number(steps));
console.log(JSON.stringify({ resolved: import.meta.resolve('wasmgrad'), results }));
