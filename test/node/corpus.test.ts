import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCorpus, TINY_SHAKESPEARE } from '../../ts/node/corpus.js';
import { rejected } from '../helpers/errors.js';

// Every request goes to a server on 127.0.0.1 started here; nothing reaches the network.
const TEXT = new TextEncoder().encode('First Citizen:\nBefore we proceed any further, hear me speak.\n');
const SHA = createHash('sha256').update(TEXT).digest('hex');

let server: Server;
let base: string;
let requests: string[];
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/input.txt') res.end(TEXT);
    else if (req.url === '/hang') res.writeHead(200).write('First'); // headers and a little data, then silence
    else res.writeHead(404, 'Not Found').end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(async () => {
  requests = [];
  dir = await mkdtemp(join(tmpdir(), 'wasmgrad-corpus-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fixFor = (path: string, bytes: string, sha: string) => `Fix: place the file by hand at ${path} (${bytes} bytes, sha256 ${sha}), e.g. copy it from another machine.`;

describe('ensureCorpus', () => {
  test('downloads, verifies and writes the file, creating folders', async () => {
    const path = join(dir, 'datasets', 'nested', 'input.txt');
    const lines: string[] = [];
    await ensureCorpus(path, { url: `${base}/input.txt`, bytes: TEXT.length, sha256: SHA, log: (l) => lines.push(l) });
    expect(new Uint8Array(await readFile(path))).toEqual(TEXT);
    expect(await readdir(join(dir, 'datasets', 'nested'))).toEqual(['input.txt']);
    expect(requests).toEqual(['/input.txt']);
    expect(lines).toEqual([`downloading ${base}/input.txt to ${path}`, `saved ${path} (${TEXT.length} bytes, sha256 verified)`]);
  });

  test('an existing file is left alone and nothing is fetched', async () => {
    const path = join(dir, 'input.txt');
    await writeFile(path, 'placed by hand');
    const fetchImpl = (() => Promise.reject(new Error('must not fetch'))) as typeof fetch;
    await ensureCorpus(path, { fetchImpl }); // the real URL and checksum: never contacted
    expect(await readFile(path, 'utf8')).toBe('placed by hand');
  });

  test('a checksum mismatch writes nothing', async () => {
    const path = join(dir, 'datasets', 'input.txt');
    const wrong = '0'.repeat(64);
    const e = await rejected(ensureCorpus(path, { url: `${base}/input.txt`, bytes: TEXT.length, sha256: wrong }));
    expect(e.message).toBe(
      `the corpus downloaded from ${base}/input.txt is not the expected file: got ${TEXT.length} bytes with sha256 ${SHA}, expected ${TEXT.length} bytes with sha256 ${wrong}. ` +
        `The download was corrupted or the file there has changed; nothing was written. ${fixFor(path, String(TEXT.length), wrong)}`,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  test('a size mismatch writes nothing', async () => {
    const path = join(dir, 'input.txt');
    const e = await rejected(ensureCorpus(path, { url: `${base}/input.txt`, bytes: 1115394, sha256: SHA }));
    expect(e.message).toMatch(new RegExp(`^the corpus downloaded from .* got ${TEXT.length} bytes with sha256 ${SHA}, expected 1,115,394 bytes with sha256 ${SHA}\\.`));
    expect(await readdir(dir)).toEqual([]);
  });

  test('HTTP 404: names the URL, the status and the manual fix', async () => {
    const path = join(dir, 'input.txt');
    const e = await rejected(ensureCorpus(path, { url: `${base}/missing.txt` }));
    expect(e.message).toBe(
      `could not download the tiny-shakespeare corpus from ${base}/missing.txt (HTTP 404 Not Found). ` +
        fixFor(path, '1,115,394', TINY_SHAKESPEARE.sha256),
    );
    expect(await readdir(dir)).toEqual([]);
  });

  test('connection refused', async () => {
    // A port that was just listening and is now closed.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const path = join(dir, 'input.txt');
    const e = await rejected(ensureCorpus(path, { url: `http://127.0.0.1:${port}/input.txt`, bytes: TEXT.length, sha256: SHA }));
    expect(e.message).toBe(
      `could not download the tiny-shakespeare corpus from http://127.0.0.1:${port}/input.txt (ECONNREFUSED). ${fixFor(path, String(TEXT.length), SHA)}`,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  test('a server that stops sending times out', async () => {
    const path = join(dir, 'input.txt');
    const e = await rejected(ensureCorpus(path, { url: `${base}/hang`, timeoutMs: 300 }));
    expect(e.message).toMatch(/^could not download the tiny-shakespeare corpus from http:\/\/127\.0\.0\.1:\d+\/hang \(no complete response within 0\.3 s\)\. Fix: /);
    expect(await readdir(dir)).toEqual([]);
  });
});
