import { trainLosses } from './train.mjs';

// The test calls this with page.evaluate.
window.trainAll = async (backends, steps) => {
  const out = {};
  for (const name of backends) out[name] = await trainLosses(name, steps);
  return out;
};
