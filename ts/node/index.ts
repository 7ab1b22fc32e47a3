/** The package's Node entry: the portable API, a loadBackend that reads wasm/*.wasm, and Node-only helpers. */
export * from '../api.js';
export { loadBackend, nodeWasmSources } from './backends.js';
export { ensureCorpus, TINY_SHAKESPEARE, type EnsureCorpusOptions } from './corpus.js';
export { writeFileAtomic } from './atomic.js';
export { saveRun, loadRun, type Run, type RunInfo, type RunMeta, type SaveRunOptions } from './run-dir.js';
