import { readFile } from 'node:fs/promises';
import { WasmgradError } from '../backend/errors.js';
import { decodeModelFile, type ModelFile } from '../nn/model-file.js';
import { loadCheckpoint, type Checkpoint } from '../train/checkpoint.js';

/** A model file from disk (ts/nn/model-file.ts), or an error that says what to pass instead. */
export async function readModelFile(path: string): Promise<ModelFile> {
  return decodeModelFile(await readSafetensorsFile(path, 'model file', "a run's model.safetensors"), path);
}

/** A checkpoint or a model file from disk, as loadCheckpoint reads them. */
export async function readCheckpointFile(path: string): Promise<Checkpoint> {
  return loadCheckpoint(await readSafetensorsFile(path, 'checkpoint', "a run's checkpoint.safetensors or model.safetensors"), path);
}

/** `what` names the file in the message, `runFiles` the files of a run that may be passed instead. */
async function readSafetensorsFile(path: string, what: string, runFiles: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new WasmgradError(
      `cannot read the ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). ` +
        `Fix: pass a .safetensors file: ${runFiles}, or one that scripts/pytorch/from_nanogpt.py wrote.`,
    );
  }
}
