import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../ts/node/atomic.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasmgrad-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  test('writes a string and bytes, replacing an existing file, leaving no temp file', async () => {
    const path = join(dir, 'ckpt.json');
    await writeFileAtomic(path, 'first ✓');
    expect(await readFile(path, 'utf8')).toBe('first ✓');
    await writeFileAtomic(path, Uint8Array.of(0, 1, 2, 255));
    expect(Array.from(await readFile(path))).toEqual([0, 1, 2, 255]);
    expect(await readdir(dir)).toEqual(['ckpt.json']);
  });

  test('a write that fails midway leaves the old file intact and removes the temp file', async () => {
    const path = join(dir, 'ckpt.safetensors');
    await writeFile(path, 'old contents');
    // An iterable that yields one chunk and then throws: the temp file is created and partly written.
    let yielded = false;
    const failing = {
      *[Symbol.iterator]() {
        yield 'partial new contents';
        yielded = true;
        throw new Error('disk on fire');
      },
    };
    await expect(writeFileAtomic(path, failing as unknown as string)).rejects.toThrow('disk on fire');
    expect(yielded).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('old contents');
    expect(await readdir(dir)).toEqual(['ckpt.safetensors']);
  });

  test('an abort while writing rejects with its reason, leaves the old file intact and removes the temp file', async () => {
    const path = join(dir, 'ckpt.safetensors');
    await writeFile(path, 'old contents');
    const abort = new AbortController();
    const writing = writeFileAtomic(path, new Uint8Array(1 << 20), { signal: abort.signal });
    abort.abort(new Error('stopped'));
    await expect(writing).rejects.toThrow('stopped');
    expect(await readFile(path, 'utf8')).toBe('old contents');
    expect(await readdir(dir)).toEqual(['ckpt.safetensors']);
  });

  test('data of the wrong type: the old file survives, the temp file is removed', async () => {
    const path = join(dir, 'a.txt');
    await writeFile(path, 'old');
    await expect(writeFileAtomic(path, 42 as unknown as string)).rejects.toThrow();
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['a.txt']);
  });

  test('a missing folder is an error (the caller creates folders), and nothing is left behind', async () => {
    await expect(writeFileAtomic(join(dir, 'no', 'such.txt'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });
});
