import { readFile } from 'node:fs/promises';
import { WasmgradError } from '../backend/errors.js';
import { decodeModelFile, type ModelFile } from '../nn/model-file.js';

/** A model file from disk (ts/nn/model-file.ts), or an error that says what to pass instead. */
export async function readModelFile(path: string): Promise<ModelFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new WasmgradError(
      `cannot read the model file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). ` +
        "Fix: pass a model .safetensors file: a run's model.safetensors, or one that scripts/pytorch/from_nanogpt.py wrote.",
    );
  }
  return decodeModelFile(bytes, path);
}
