import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/** `<file>.tmp-<pid>-<12 hex digits>`: the temporary name writeFileAtomic writes `file` under. */
const TEMPORARY = /^\.tmp-\d+-[0-9a-f]{12}$/;

/** Whether `name` is a temporary file writeFileAtomic made for `file` (and a crash may have left). */
export function isTemporaryOf(name: string, file: string): boolean {
  return name.startsWith(file) && TEMPORARY.test(name.slice(file.length));
}

/**
 * Replaces `path` with `data` so that a reader (or a crash) sees the old file or the new one, never a
 * torn mix: write a temporary file beside it, fsync it, rename it over `path` (atomic within a
 * file system), then fsync the folder so the rename itself survives a power cut. An abort of
 * `signal` before the rename rejects with its reason and leaves `path` as it was.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: { signal?: AbortSignal } = {}): Promise<void> {
  const { signal } = options;
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    signal?.throwIfAborted();
    crashPoint(path, 'before-write');
    const file = await open(tmp, 'wx');
    try {
      if (crashAt?.stage === 'mid-write' && isCrashing(path, 'mid-write')) {
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        await file.write(bytes.subarray(0, bytes.length >> 1));
        await file.sync();
        crashPoint(path, 'mid-write');
      }
      await file.writeFile(data, { signal });
      await file.sync();
    } finally {
      await file.close();
    }
    crashPoint(path, 'before-rename');
    // The last moment to call the write off: after the rename the new file is in place.
    signal?.throwIfAborted();
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    // fs's own abort error does not carry the reason; the caller's reason says why.
    throw signal?.aborted ? signal.reason : e;
  }
  crashPoint(path, 'after-rename');
  await syncDirectory(dirname(path));
}

/** Best effort: some platforms (Windows) cannot open a folder to fsync it. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The data is already renamed into place; only its durability across a power cut is weaker.
  }
}

/**
 * The crash test's hook (test/node/crash.test.ts): WASMGRAD_CRASH_AT=<file>:<stage>:<n> kills this
 * process with SIGKILL at that stage of the n-th atomic write of <file> (a base name), so the
 * dangerous instants inside a save are hit on purpose, not by luck. Unset, it does nothing.
 */
const crashAt = (() => {
  const spec = typeof process !== 'undefined' ? process.env.WASMGRAD_CRASH_AT : undefined;
  if (!spec) return null;
  const [file, stage, n] = spec.split(':');
  return { file, stage, n: Number(n), seen: 0 };
})();

type Stage = 'before-write' | 'mid-write' | 'before-rename' | 'after-rename';

function isCrashing(path: string, stage: Stage): boolean {
  return crashAt !== null && basename(path) === crashAt.file && stage === crashAt.stage && crashAt.seen === crashAt.n;
}

function crashPoint(path: string, stage: Stage): void {
  if (crashAt === null || basename(path) !== crashAt.file) return;
  if (stage === 'before-write') crashAt.seen++;
  if (isCrashing(path, stage)) process.kill(process.pid, 'SIGKILL');
}
