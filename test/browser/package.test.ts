// The published package as a consumer gets it: `npm pack`, installed into a fresh project, bundled
// for the browser with no loader configuration, run in Chromium and in Node.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.js';
import { contentType, serve, type RunningServer } from '../../scripts/serve.js';

const root = join(__dirname, '..', '..');
const fixture = join(__dirname, 'consumer');
const STEPS = 50;
// wasm-simd also on 2 threads (the pool's workers, in Node and in the page): the same bits as on one.
// (3 and 4 threads: test/threads/, in Node; more threads than this machine's 2 cores is slow here.)
const BACKENDS = ['wasm-simd', 'wasm-scalar', 'js', 'wasm-simd×2'];
/**
 * The js backend's losses may differ between Node's and Chromium's V8: ECMAScript leaves the
 * accuracy of Math.exp and Math.log (used by its softmax and GELU) to the engine, and the two V8
 * versions here do differ in a last bit now and then (seen: one loss of 200 off by 2e-16, relative).
 * Such a difference reaches the float32 parameters only when it flips a rounding, by an ulp
 * (6e-8 relative), and 50 SGD steps at lr 1e-2 do not amplify that anywhere near 1e-5 of the loss;
 * any real divergence (another batch, another initialisation) moves the loss by far more.
 */
const JS_RTOL = 1e-5;

let tmp: string;
let app: string;
let browser: Browser | undefined;
let server: RunningServer | undefined;

/** stdout of a command; on failure, an error showing what it printed (tsc reports on stdout). */
function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** Bundles `entry` for browsers with esbuild's defaults: no loaders, no externals, no aliases. */
async function bundleForBrowser(entry: string, outfile: string): Promise<Metafile> {
  const result = await build({ absWorkingDir: app, entryPoints: [entry], outfile, bundle: true, format: 'esm', platform: 'browser', metafile: true, logLevel: 'silent' });
  return result.metafile;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'wasmgrad-consumer-'));
  run('npm', ['pack', '--pack-destination', tmp], root); // prepack runs `npm run build`
  const tarballs = readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
  expect(tarballs).toHaveLength(1);
  app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  for (const f of readdirSync(fixture)) copyFileSync(join(fixture, f), join(app, f));
  // Offline is fine: the package has no runtime dependencies.
  run('npm', ['install', '--no-audit', '--no-fund', join(tmp, tarballs[0])], app);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('a browser bundle of the installed package takes its browser entry and no Node module', async () => {
  const meta = await bundleForBrowser(join(app, 'page.mjs'), join(app, 'page.js'));
  const inputs = Object.keys(meta.inputs);
  expect(inputs).toContain('node_modules/wasmgrad/dist/browser.js');
  expect(inputs.filter((i) => i.includes('dist/node'))).toEqual([]);
  // The check can fail: the Node entry, bundled for browsers, is refused for its node: imports.
  await expect(bundleForBrowser(join(app, 'node_modules/wasmgrad/dist/node/index.js'), join(tmp, 'node.js'))).rejects.toThrow(/node:fs/);
});

test(`${STEPS} seeded steps of the MLP, the context MLP and a GPT with dropout give the same losses in Chromium and in Node, on 1 and 2 threads`, async () => {
  const node = JSON.parse(run(process.execPath, ['node-run.mjs', String(STEPS), ...BACKENDS], app)) as { resolved: string; losses: Record<string, number[]> };
  expect(node.resolved).toMatch(/\/node_modules\/wasmgrad\/dist\/node\/index\.js$/);

  await bundleForBrowser(join(app, 'page.mjs'), join(app, 'page.js'));
  const file = (name: string) => [`/${name}`, { body: readFileSync(join(app, name)), type: contentType(name) }] as const;
  server = await serve({ files: new Map([file('index.html'), file('page.js')]) });
  browser = await launchChromium();
  const tab = await browser.newPage();
  const errors: string[] = [];
  tab.on('pageerror', (e) => errors.push(e.message));
  await tab.goto(server.url);
  await tab.waitForFunction(() => 'trainAll' in window);
  const chromium = await tab.evaluate(([b, s]) => (window as unknown as { trainAll: (b: string[], s: number) => Promise<Record<string, number[]>> }).trainAll(b, s), [BACKENDS, STEPS] as const);
  expect(errors).toEqual([]);

  for (const preset of ['mlp', 'context', 'gpt']) {
    for (const name of BACKENDS) {
      const key = `${preset}/${name}`;
      expect(chromium[key]).toHaveLength(STEPS);
      expect(node.losses[key]).toHaveLength(STEPS);
      // Training happened: the loss fell.
      expect(node.losses[key][STEPS - 1]).toBeLessThan(node.losses[key][0]);
    }
    // WebAssembly arithmetic is deterministic (no relaxed SIMD here): equal as doubles, hence as float32 bits.
    // Numbers cross page.evaluate and JSON as their shortest round-trip decimal, so nothing is lost.
    expect(chromium[`${preset}/wasm-simd`]).toEqual(node.losses[`${preset}/wasm-simd`]);
    expect(chromium[`${preset}/wasm-scalar`]).toEqual(node.losses[`${preset}/wasm-scalar`]);
    for (const threads of [2]) {
      expect({ threads, losses: node.losses[`${preset}/wasm-simd×${threads}`] }).toEqual({ threads, losses: node.losses[`${preset}/wasm-simd`] });
      expect({ threads, losses: chromium[`${preset}/wasm-simd×${threads}`] }).toEqual({ threads, losses: node.losses[`${preset}/wasm-simd`] });
    }
    const js = `${preset}/js`;
    const worst = Math.max(...chromium[js].map((l, i) => Math.abs(l - node.losses[js][i]) / node.losses[js][i]));
    expect(worst).toBeLessThanOrEqual(JS_RTOL);
  }
});

test('the installed .d.ts type-check a consumer, with browser and with Node resolution', () => {
  const tsc = [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];
  run(process.execPath, [...tsc, '--module', 'esnext', '--moduleResolution', 'bundler', 'types.ts'], app);
  run(process.execPath, [...tsc, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--typeRoots', join(root, 'node_modules/@types'), '--types', 'node', 'types.ts', 'types-node.ts'], app);
});
