import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { browserBundleOptions } from './esbuild-shared.js';
import { contentType, type Site, type StaticFile } from './serve.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
/** Written by hand, served as they are. */
const PAGES = ['index.html', 'style.css'];

/**
 * The playground as a site held in memory: web/main.ts and web/worker.ts bundled (uPlot's CSS
 * becomes main.css), the page and its style sheet, and the repository's datasets/ folder.
 */
export async function buildPlayground(): Promise<Site> {
  const result = await build({
    ...browserBundleOptions,
    entryPoints: [join(web, 'main.ts'), join(web, 'worker.ts')],
    outdir: join(root, 'target', 'web'), // never written (write: false); names the outputs
    write: false,
    minify: true, // uPlot alone is 137 kB unminified: the page loads faster
    sourcemap: 'inline',
  });
  const files = new Map<string, StaticFile>();
  for (const out of result.outputFiles) files.set(`/${basename(out.path)}`, { body: out.contents, type: contentType(out.path) });
  for (const page of PAGES) files.set(`/${page}`, { body: readFileSync(join(web, page)), type: contentType(page) });
  return { files, folders: { '/datasets/': join(root, 'datasets') } };
}
