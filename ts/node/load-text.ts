import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WasmgradError } from '../backend/errors.js';
import { decodeText } from '../data/text.js';
import { ensureCorpus } from './corpus.js';

/** Where `npm run train` looks for the corpus unless --data says otherwise. */
export const DEFAULT_DATA = 'datasets/tinyShakespeare.txt';

/**
 * The training text at `path`. The default corpus is downloaded (and verified) when missing; any
 * other file must exist, be a file, and be UTF-8 text.
 */
export async function loadText(path: string, log: (line: string) => void): Promise<string> {
  if (resolve(path) === resolve(DEFAULT_DATA)) {
    try {
      await ensureCorpus(path, { log });
    } catch (e) {
      // Without network the corpus's own fix (put the file there) is one way; any text of one's own is the other.
      if (e instanceof WasmgradError) throw new WasmgradError(`${e.message} Or train on a text of your own: --data FILE.`);
      throw e;
    }
  }
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new WasmgradError(`the data file ${path} does not exist. Fix: pass --data with the path of a UTF-8 text file.`);
  }
  if (!info.isFile()) throw new WasmgradError(`${path} is not a file. Fix: pass --data with the path of a UTF-8 text file.`);
  return decodeText(await readFile(path), path);
}
