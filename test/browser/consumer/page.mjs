import { PRESET_NAMES, trainAndSample } from './train.mjs';

// The test calls this with page.evaluate.
window.trainAll = async (backends, steps) => {
  const out = {};
  for (const preset of PRESET_NAMES) for (const name of backends) out[`${preset}/${name}`] = await trainAndSample(name, preset, steps);
  return out;
};
