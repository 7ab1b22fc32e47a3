import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

/** A file held in memory (an esbuild output, a page written by a test). */
export interface StaticFile {
  body: Uint8Array | string;
  type: string;
}

export interface Site {
  /** URL path ('/index.html') to content; '/' serves '/index.html'. */
  files: ReadonlyMap<string, StaticFile>;
  /** URL prefixes ('/datasets/') served from folders on disk (files only, no listings). */
  folders?: Record<string, string>;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

export function contentType(path: string): string {
  return TYPES[extname(path)] ?? 'application/octet-stream';
}

/**
 * Serves a site on 127.0.0.1 (port 0: any free port). Every response is cross-origin isolated
 * (COOP same-origin + COEP require-corp), so pages get SharedArrayBuffer for multi-core training.
 */
export function serve(site: Site, port = 0): Promise<RunningServer> {
  const folders = Object.entries(site.folders ?? {});
  const server = createServer(async (req, res) => {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    const notFound = () => res.writeHead(404, { 'Content-Type': TYPES['.txt'] }).end(`not found: ${req.url}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return notFound();
    }
    const file = site.files.get(path === '/' ? '/index.html' : path);
    if (file) return void res.writeHead(200, { 'Content-Type': file.type }).end(req.method === 'HEAD' ? undefined : file.body);
    for (const [prefix, dir] of folders) {
      if (!path.startsWith(prefix)) continue;
      const root = resolve(dir);
      const target = resolve(join(root, path.slice(prefix.length)));
      if (!target.startsWith(root + sep)) return notFound(); // '..' out of the folder
      const info = await stat(target).catch(() => null);
      if (!info?.isFile()) return notFound();
      res.writeHead(200, { 'Content-Type': contentType(target), 'Content-Length': info.size });
      return void (req.method === 'HEAD' ? res.end() : createReadStream(target).pipe(res));
    }
    notFound();
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      ok({ url: `http://127.0.0.1:${actual}/`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
