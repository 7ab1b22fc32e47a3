// Only the Node entry has the file-system helpers.
import { ensureCorpus, TINY_SHAKESPEARE } from 'wasmgrad';

await ensureCorpus('datasets/tinyShakespeare.txt', { sha256: TINY_SHAKESPEARE.sha256 });
