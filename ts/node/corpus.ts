import { createHash } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WasmgradError } from '../backend/errors.js';
import { writeFileAtomic } from './atomic.js';

/** Andrej Karpathy's tiny-shakespeare corpus (char-rnn), pinned by size and checksum. */
export const TINY_SHAKESPEARE = {
  url: 'https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt',
  bytes: 1115394,
  sha256: '86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed',
};

export interface EnsureCorpusOptions {
  url?: string;
  sha256?: string;
  bytes?: number;
  log?: (line: string) => void;
  fetchImpl?: typeof fetch;
  /** Give up on a download that has not finished after this long. */
  timeoutMs?: number;
}

/**
 * Makes sure the corpus is at `path`, downloading it if absent. An existing file is trusted (it was
 * checked when it was downloaded, or placed there by hand on purpose); a download is verified
 * before anything is written, and written atomically, so `path` never holds a partial file.
 */
export async function ensureCorpus(path: string, options: EnsureCorpusOptions = {}): Promise<void> {
  const { url = TINY_SHAKESPEARE.url, sha256 = TINY_SHAKESPEARE.sha256, bytes = TINY_SHAKESPEARE.bytes, log = () => {}, fetchImpl = fetch, timeoutMs = 30_000 } = options;
  if (await exists(path)) return;

  const fix = `Fix: place the file by hand at ${path} (${bytes.toLocaleString('en-US')} bytes, sha256 ${sha256}), e.g. copy it from another machine.`;
  log(`downloading ${url} to ${path}`);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let body: Uint8Array;
  try {
    const response = await fetchImpl(url, { signal: controller.signal });
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trimEnd());
    body = new Uint8Array(await response.arrayBuffer());
  } catch (e) {
    const reason = controller.signal.aborted ? `no complete response within ${timeoutMs / 1000} s` : describeFailure(e);
    throw new WasmgradError(`could not download the tiny-shakespeare corpus from ${url} (${reason}). ${fix}`);
  } finally {
    clearTimeout(timer);
  }

  const actual = createHash('sha256').update(body).digest('hex');
  if (body.length !== bytes || actual !== sha256) {
    throw new WasmgradError(
      `the corpus downloaded from ${url} is not the expected file: got ${body.length.toLocaleString('en-US')} bytes with sha256 ${actual}, ` +
        `expected ${bytes.toLocaleString('en-US')} bytes with sha256 ${sha256}. The download was corrupted or the file there has changed; nothing was written. ${fix}`,
    );
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, body);
  log(`saved ${path} (${bytes.toLocaleString('en-US')} bytes, sha256 verified)`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Node's fetch reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`. */
function describeFailure(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message ?? String(e);
}
