import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type RunningServer } from '../../scripts/serve.js';

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wasmgrad-serve-'));
  writeFileSync(join(dir, 'corpus.txt'), 'To be, or not to be');
  writeFileSync(join(tmpdir(), 'wasmgrad-serve-secret.txt'), 'outside');
  server = await serve({
    files: new Map([['/index.html', { body: '<p>hi</p>', type: 'text/html; charset=utf-8' }]]),
    folders: { '/datasets/': dir },
  });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'wasmgrad-serve-secret.txt'), { force: true });
});

const get = (path: string) => fetch(new URL(path, server.url));

test('serves on 127.0.0.1, "/" as index.html, every response cross-origin isolated', async () => {
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  for (const path of ['/', '/datasets/corpus.txt', '/missing']) {
    const r = await get(path);
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  }
  const index = await get('/');
  expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(await index.text()).toBe('<p>hi</p>');
});

test('serves files of a folder, and nothing outside it', async () => {
  const corpus = await get('/datasets/corpus.txt');
  expect(corpus.status).toBe(200);
  expect(corpus.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(await corpus.text()).toBe('To be, or not to be');
  expect((await get('/datasets/')).status).toBe(404); // no listings
  expect((await get('/datasets/nope.txt')).status).toBe(404);
  // fetch normalises '..' away; an encoded one reaches the server and must not escape the folder.
  expect((await get('/datasets/%2e%2e/wasmgrad-serve-secret.txt')).status).toBe(404);
  expect((await get('/datasets/..%2fwasmgrad-serve-secret.txt')).status).toBe(404);
});
