import type { SpawnWorker } from './pool.js';

/**
 * The pool's workers in a browser: Web Workers running the pool's script from a blob URL, so the
 * bundle needs no separate worker file. They can be started from a page or from a worker (the
 * playground trains in one); both must be cross-origin isolated to share memory.
 */
export const spawnWebWorker: SpawnWorker = (script) => {
  const listen = 'self.onmessage = (e) => { self.onmessage = null; start(e.data, (r) => self.postMessage(r)); };';
  const url = URL.createObjectURL(new Blob([script(listen)], { type: 'text/javascript' }));
  const worker = new Worker(url);
  return {
    postMessage: (init) => worker.postMessage(init),
    onReport(callback) {
      worker.onmessage = (e) => {
        URL.revokeObjectURL(url);
        callback(e.data);
      };
      worker.onerror = (e) => callback({ error: e.message || 'the worker script failed to load' });
    },
    terminate: () => worker.terminate(),
  };
};
