import { Worker } from 'node:worker_threads';
import type { SpawnWorker } from '../backend/wasm/pool.js';

/**
 * The pool's workers in Node: worker_threads running the pool's script, unref'd so that an idle
 * pool never keeps the process alive.
 */
export const spawnNodeWorker: SpawnWorker = (script) => {
  const listen = "const { parentPort } = require('node:worker_threads');\nparentPort.once('message', (init) => start(init, (r) => parentPort.postMessage(r)));";
  const worker = new Worker(script(listen), { eval: true });
  worker.unref();
  return {
    postMessage: (init) => worker.postMessage(init),
    onReport(callback) {
      worker.once('message', callback);
      worker.once('error', (e) => callback({ error: e.message }));
      worker.once('exit', (code) => callback({ error: `the worker exited with code ${code}` }));
    },
    terminate: () => void worker.terminate(),
  };
};
