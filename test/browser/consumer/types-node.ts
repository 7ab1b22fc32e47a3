// Only the Node entry has the file-system helpers.
import { ensureCorpus, loadRun, TINY_SHAKESPEARE, type Run } from 'wasmgrad';

await ensureCorpus('datasets/tinyShakespeare.txt', { sha256: TINY_SHAKESPEARE.sha256 });
const run: Run = await loadRun('runs/default');
console.log(run.meta.step, run.checkpoint.kind);
