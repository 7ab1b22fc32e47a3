import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeSafetensors, encodeSafetensors } from '../../ts/io/safetensors.js';
import { Rng } from '../../ts/util/rng.js';

// The CLI end to end, as a user runs it: a child process, its exit code, its output, its files.
const ROOT = join(__dirname, '..', '..');
// tsx's loader by absolute URL: the children run in a temporary folder, where 'tsx' would not resolve.
const TSX = pathToFileURL(require.resolve('tsx')).href;
const tmp = mkdtempSync(join(tmpdir(), 'wasmgrad-cli-'));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(script: 'train' | 'sample', args: string[], onStderr?: (text: string, kill: () => void) => void): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'ts', 'node', 'cli', `${script}.ts`), ...args], { cwd: tmp, env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, () => child.kill('SIGINT'));
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A seeded text with 20 distinct characters and some structure to learn. */
function writeText(name: string, length: number, seed = 1, chars = 'abcdefghij klmnopq\n.'): string {
  const rng = new Rng(seed);
  let out = chars; // every character at least once
  while (out.length < length) out += chars[rng.int(chars.length)];
  const path = join(tmp, name);
  writeFileSync(path, out);
  return path;
}

const text = writeText('text.txt', 20000);
const tiny = ['--data', text, '--batch', '64'];
const small = [...tiny, '--hidden', '16'];

/** Bad input: exit code ≠ 0, one line naming the problem and the fix, no stack trace. */
function expectCleanError(r: Result, code: number, ...fragments: (string | RegExp)[]) {
  expect(r.code).toBe(code);
  const lines = r.stderr.trim().split('\n');
  const last = lines[lines.length - 1];
  for (const f of fragments) expect(last).toMatch(f);
  expect(last).toMatch(/Fix: /);
  expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
}

/** A run directory's checkpoint: its tensors (parameters, and the optimizer's under optimizer/) and its run metadata. */
function checkpoint(dir: string) {
  const path = join(dir, 'checkpoint.safetensors');
  const st = decodeSafetensors(readFileSync(path), path);
  const params = Object.fromEntries(Object.entries(st.tensors).filter(([k]) => !k.startsWith('optimizer/')));
  return { st, params, meta: JSON.parse(st.metadata.run) };
}

/** Rewrites the run metadata inside a checkpoint, as a hand edit would. */
function rewriteRun(dir: string, edit: (meta: Record<string, unknown>) => unknown): void {
  const { st, meta } = checkpoint(dir);
  writeFileSync(join(dir, 'checkpoint.safetensors'), encodeSafetensors(st.tensors, { ...st.metadata, run: JSON.stringify(edit(meta)) }));
}

/** Turns a run directory into the three-file layout of version 1 or 2, as an earlier wasmgrad wrote it. */
function toLegacyLayout(dir: string, version: 1 | 2): void {
  const { st, params, meta } = checkpoint(dir);
  const step = String(meta.step);
  const optimizer = Object.fromEntries(Object.entries(st.tensors).filter(([k]) => k.startsWith('optimizer/')).map(([k, t]) => [k.slice('optimizer/'.length), t]));
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(params, { format: 'wasmgrad-run', model: meta.config.model.kind, step }));
  writeFileSync(join(dir, 'optimizer.safetensors'), encodeSafetensors(optimizer, { format: 'wasmgrad-run', optimizer: meta.config.optimizer, step }));
  const { model, ...rest } = meta.config;
  const config = version === 1 ? { model: model.kind, hidden: model.hidden, ...rest } : meta.config;
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...meta, version, config }));
  rmSync(join(dir, 'checkpoint.safetensors'));
}

test('a run writes the summary and the whole run directory', async () => {
  const out = join(tmp, 'run1');
  const r = await cli('train', [...small, '--steps', '30', '--log-every', '5', '--out', out, '--json', '--sample-length', '40']);
  expect(r.code).toBe(0);
  const summary = JSON.parse(r.stdout);
  for (const key of ['preset', 'model', 'backend', 'seed', 'steps', 'batch', 'lr', 'optimizer', 'init', 'initLoss', 'finalBatchLoss', 'fullDataLoss', 'valLoss', 'msPerStep', 'wallSeconds', 'activationStats']) {
    expect(summary).toHaveProperty(key);
  }
  expect(summary).toMatchObject({ preset: 'default', model: { kind: 'mlp', hidden: 16 }, backend: 'wasm-simd', steps: 30, batch: 64, optimizer: 'adam' });
  expect(summary.fullDataLoss).toBeLessThan(summary.initLoss);
  // No model that sees one character beats the text's one-character floor, H(next | current).
  expect(summary.fullDataLoss).toBeGreaterThan(summary.oneCharacterFloor.wholeText);
  expect(summary.oneCharacterFloor.trainPart).toBeGreaterThan(0);
  expect(Array.from(summary.sample as string)).toHaveLength(40);
  expect(summary.activationStats.init.hidden).toBeGreaterThan(0);
  expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toMatchObject({ fullDataLoss: summary.fullDataLoss });
  const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(metrics.map((m) => m.step)).toEqual([0, 5, 10, 15, 20, 25, 29]);
  const saved = checkpoint(out);
  expect(Object.fromEntries(Object.entries(saved.params).map(([k, t]) => [k, t.shape]))).toEqual({ w1: [20, 16], b1: [16], w2: [16, 20], b2: [20] });
  expect(Object.keys(saved.st.tensors).filter((k) => k.startsWith('optimizer/')).sort()).toEqual(['b1.m', 'b1.v', 'b2.m', 'b2.v', 'w1.m', 'w1.v', 'w2.m', 'w2.v'].map((k) => `optimizer/${k}`));
  expect(saved.meta).toMatchObject({ step: 30, vocab: Array.from('\n .abcdefghijklmnopq'), config: { model: { kind: 'mlp', hidden: 16 } } });
  expect(readdirSync(out).sort()).toEqual(['checkpoint.safetensors', 'loss.svg', 'metrics.jsonl', 'model.safetensors', 'summary.json']);
  expect(readFileSync(join(out, 'loss.svg'), 'utf8')).toMatch(/^<svg[^>]*>/);

  const sample = await cli('sample', ['--from', out, '--length', '25', '--seed', '3']);
  expect(sample.code).toBe(0);
  expect(Array.from(sample.stdout.replace(/\n$/, ''))).toHaveLength(25);
});

test('gpt: estimates every --eval-every steps, a nanoGPT model file, sampling past the block size, --init-from', async () => {
  const out = join(tmp, 'gpt');
  const verse = join(tmp, 'verse.txt');
  writeFileSync(verse, 'first citizen:\nbefore we proceed any further, hear me speak.\nall:\nspeak, speak.\n'.repeat(250));
  const gpt = ['--data', verse, '--preset', 'gpt-baby', '--block', '16', '--layers', '1', '--heads', '2', '--embedding', '16', '--batch', '4'];
  const r = await cli('train', [...gpt, '--steps', '20', '--warmup', '0', '--lr', '1e-2', '--eval-every', '10', '--eval-batches', '3', '--out', out, '--json', '--sample-length', '40']);
  expect(r.stderr).toMatch(/step  0  train loss \d\.\d{4}, val loss \d\.\d{4}/);
  expect(r.stderr).toMatch(/step 10  train loss \d\.\d{4}, val loss \d\.\d{4}/);
  expect(r.code).toBe(0);
  const summary = JSON.parse(r.stdout);
  expect(summary).toMatchObject({ evaluation: { batches: 3, windows: 4 }, fullDataLoss: null, steps: 20 });
  expect(summary.valLoss).toBeLessThan(summary.initLoss);
  const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(metrics.filter((m) => 'val' in m).map((m) => m.step)).toEqual([0, 10]);
  const file = decodeSafetensors(readFileSync(join(out, 'model.safetensors')), 'model');
  expect(file.tensors['lm_head.weight'].data).toEqual(file.tensors['transformer.wte.weight'].data);
  expect(JSON.parse(file.metadata.model_args)).toEqual({ n_layer: 1, n_head: 2, n_embd: 16, block_size: 16, bias: false, vocab_size: 26, dropout: 0 });

  // The model file samples as the run does; a prompt longer than the block is cut to its last 16 characters.
  const prompt = 'before we proceed any further';
  const fromRun = await cli('sample', ['--from', out, '--prompt', prompt, '--length', '60', '--seed', '2']);
  const fromFile = await cli('sample', ['--from', join(out, 'model.safetensors'), '--prompt', prompt, '--length', '60', '--seed', '2']);
  const fromCheckpoint = await cli('sample', ['--from', join(out, 'checkpoint.safetensors'), '--prompt', prompt, '--length', '60', '--seed', '2']);
  expect(fromRun.code).toBe(0);
  expect(fromFile.stdout).toBe(fromRun.stdout);
  expect(fromCheckpoint.stdout).toBe(fromRun.stdout);
  expect(Array.from(fromRun.stdout.replace(/\n$/, ''))).toHaveLength(prompt.length + 60);

  const tuned = join(tmp, 'gpt-tuned');
  const t = await cli('train', ['--data', verse, '--preset', 'gpt-baby', '--batch', '4', '--steps', '5', '--eval-batches', '2', '--init-from', join(out, 'model.safetensors'), '--out', tuned, '--json']);
  expect(t.code).toBe(0);
  expect(t.stderr).toMatch(/starting from the parameters in .*model\.safetensors/);
  // Started from the trained parameters: its first batch loss is the trained model's, far below a fresh one's.
  expect(JSON.parse(t.stdout).initLoss).toBeLessThan(summary.initLoss - 0.3);
  expectCleanError(await cli('train', ['--data', verse, '--init-from', join(out, 'model.safetensors'), '--layers', '2']), 2, '--layers cannot be set with --init-from: the model is the one in the file');
  expectCleanError(await cli('train', ['--data', verse, '--init-from', join(tmp, 'nope.safetensors')]), 1, 'cannot read the model file');
  expectCleanError(await cli('sample', ['--from', join(tmp, 'nope.safetensors')]), 1, "cannot read the checkpoint");
  expectCleanError(await cli('train', ['--data', text, '--init-from', join(out, 'model.safetensors')]), 1, /the model's vocabulary \(26 characters\) does not cover this text/);
  expectCleanError(await cli('sample', ['--from', out, '--prompt', 'Zebra']), 1, /--prompt has "Z"/);
}, 120000);

test('sample: a prompt, temperature and top-k; the same seed gives the same text; bad options named by their flags', async () => {
  const out = join(tmp, 'run1');
  const args = ['--from', out, '--prompt', 'abc', '--temperature', '0.8', '--top-k', '5', '--length', '40', '--seed', '7'];
  const a = await cli('sample', args);
  expect(a.code).toBe(0);
  expect(a.stdout.startsWith('abc')).toBe(true); // the prompt, then its continuation
  expect(Array.from(a.stdout.replace(/\n$/, ''))).toHaveLength(43);
  expect((await cli('sample', args)).stdout).toBe(a.stdout);
  expect((await cli('sample', [...args.slice(0, -1), '8'])).stdout).not.toBe(a.stdout);
  expectCleanError(await cli('sample', ['--from', out, '--temperature', '0']), 2, '--temperature 0 is not a positive number');
  expectCleanError(await cli('sample', ['--from', out, '--top-k', '0']), 2, '--top-k 0 is not a positive integer');
  expectCleanError(await cli('sample', ['--from', out, '--prompt', 'abZ']), 1, /--prompt has "Z" \(U\+005A\) \(at 2\), which is not in the model's vocabulary/);
});

test('run directories of versions 1 and 2 (three files) resume as the same run, into one checkpoint file', async () => {
  const dirs = { v3: join(tmp, 'format-v3'), v2: join(tmp, 'format-v2'), v1: join(tmp, 'format-v1') };
  for (const dir of Object.values(dirs)) expect((await cli('train', [...small, '--steps', '6', '--out', dir])).code).toBe(0);
  toLegacyLayout(dirs.v2, 2);
  toLegacyLayout(dirs.v1, 1);
  for (const dir of Object.values(dirs)) {
    const r = await cli('train', ['--resume', dir, '--steps', '9']);
    expect(r.code).toBe(0);
    if (dir !== dirs.v3) expect(r.stderr).toMatch(/resuming from step 6, the newest complete checkpoint in .*; read the older layout/);
  }
  expect(readFileSync(join(dirs.v1, 'checkpoint.safetensors'))).toEqual(readFileSync(join(dirs.v3, 'checkpoint.safetensors')));
  expect(readFileSync(join(dirs.v2, 'checkpoint.safetensors'))).toEqual(readFileSync(join(dirs.v3, 'checkpoint.safetensors')));
  expect(readdirSync(dirs.v1).sort()).toEqual(['checkpoint.safetensors', 'loss.svg', 'metrics.jsonl', 'model.safetensors', 'summary.json']);
});

test('resuming continues bit-identically to an uninterrupted run (SGD and Adam, without and with context)', async () => {
  const sizes: Record<string, string[]> = { perceptron: tiny, default: small, context: [...tiny, '--context', '4', '--embedding', '3', '--hidden', '16'] };
  for (const preset of ['perceptron', 'default', 'context']) {
    const args = [...sizes[preset], '--preset', preset, '--schedule', 'constant', '--log-every', '1'];
    const straight = join(tmp, `straight-${preset}`);
    const split = join(tmp, `split-${preset}`);
    expect((await cli('train', [...args, '--steps', '24', '--out', straight])).code).toBe(0);
    expect((await cli('train', [...args, '--steps', '10', '--out', split])).code).toBe(0);
    const resumed = await cli('train', ['--resume', split, '--steps', '24']);
    expect(resumed.code).toBe(0);
    for (const file of ['checkpoint.safetensors', 'metrics.jsonl']) {
      expect(readFileSync(join(split, file))).toEqual(readFileSync(join(straight, file)));
    }
  }
});

test('Ctrl-C saves a checkpoint; resuming from it gives the uninterrupted result', async () => {
  const args = [...small, '--hidden', '8', '--batch', '16', '--steps', '20000', '--schedule', 'constant'];
  const straight = join(tmp, 'sigint-straight');
  const cut = join(tmp, 'sigint-cut');
  expect((await cli('train', [...args, '--out', straight])).code).toBe(0);
  let sent = false;
  const r = await cli('train', [...args, '--out', cut], (err, kill) => {
    if (!sent && /step\s+2000 /.test(err)) {
      sent = true;
      kill();
    }
  });
  expect(r.code).toBe(130);
  expect(r.stderr).toMatch(/interrupted at step \d+: checkpoint saved. Continue with: npm run train -- --resume /);
  const step = checkpoint(cut).meta.step;
  expect(step).toBeGreaterThan(0);
  expect(step).toBeLessThan(20000);
  expect((await cli('train', ['--resume', cut])).code).toBe(0);
  expect(readFileSync(join(cut, 'checkpoint.safetensors'))).toEqual(readFileSync(join(straight, 'checkpoint.safetensors')));
}, 120000);

describe('bad input: one clear line, exit code ≠ 0', () => {
  test.each([
    [['--lrr', '0.1'], 2, "unknown option '--lrr'"],
    [['extra'], 2, "unexpected argument 'extra'"],
    [['--lr', 'abc'], 2, '--lr is "abc" but must be a positive number'],
    [['--lr', '-1'], 2, '--lr is -1 but must be a positive number'],
    [['--lr', 'Infinity'], 2, '--lr is Infinity but must be a positive number'],
    [['--steps', '0'], 2, '--steps is 0 but must be a positive integer'],
    [['--steps', '2.5'], 2, '--steps is 2.5 but must be a positive integer'],
    [['--hidden', 'NaN'], 2, '--hidden is "NaN" but must be a positive integer'],
    [['--val', '0.9'], 2, '--val is 0.9 but must be a number in [0, 0.5]'],
    [['--model', 'transformer'], 2, '--model is "transformer" but must be one of linear, mlp, context-mlp, gpt'],
    [['--model', 'linear'], 2, '--hidden is not a setting of the linear model (its settings: none). Fix: drop --hidden, or choose --model mlp'],
    [['--backend', 'gpu'], 2, '--backend gpu is not one of wasm-simd, wasm-scalar, js'],
    [['--preset', 'gpt'], 2, '--preset gpt is not one of perceptron-full, perceptron, mlp, mlp-normalized, default'],
    [['--model', 'context-mlp', '--context', '30000'], 1, 'the training part of the text (18000 characters) has no window of 30000 characters and a next one. Fix: use a longer text'],
    [['--batch', '50000'], 1, "--batch 50000 is larger than the 17999 training windows. Fix: use a batch of 1024 or less, or 'full'"],
  ] as [string[], number, string][])('%j', async (args, code, message) => {
    expectCleanError(await cli('train', [...small, '--steps', '5', ...args]), code, message);
  });

  test.each([
    [['--preset', 'gpt-baby', '--heads', '3'], 2, '--heads 3 does not divide --embedding 128: each head takes embedding / heads columns. Fix: choose heads among the divisors of 128'],
    [['--preset', 'gpt-baby', '--bias', 'yes'], 2, '--bias is "yes" but must be true or false'],
    [['--preset', 'gpt-baby', '--batch', 'full', '--steps', '1'], 2, "--eval-batches estimates losses on random batches of --batch windows, but --batch is 'full'"],
  ] as [string[], number, string][])('gpt: %j', async (args, code, message) => {
    expectCleanError(await cli('train', [...tiny, ...args]), code, message);
  });

  test('an empty text, a one-character text, a file that is not UTF-8 text, a missing file', async () => {
    writeFileSync(join(tmp, 'empty.txt'), '');
    writeFileSync(join(tmp, 'one.txt'), 'x');
    writeFileSync(join(tmp, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café" in Latin-1
    expectCleanError(await cli('train', ['--data', join(tmp, 'empty.txt'), '--val', '0']), 1, 'empty');
    expectCleanError(await cli('train', ['--data', join(tmp, 'one.txt'), '--val', '0']), 1, /too short/);
    expectCleanError(await cli('train', ['--data', join(tmp, 'latin1.txt')]), 1, /not UTF-8 text.*offset 3/);
    expectCleanError(await cli('train', ['--data', join(tmp, 'nope.txt')]), 1, 'does not exist');
  });

  test('resuming: another vocabulary, a truncated checkpoint, changed settings, a finished run, not a run', async () => {
    const out = join(tmp, 'to-damage');
    expect((await cli('train', [...small, '--steps', '4', '--out', out])).code).toBe(0);
    const other = writeText('other.txt', 5000, 2, 'xyz!?ABC');
    expectCleanError(await cli('train', ['--resume', out, '--steps', '8', '--data', other]), 1, /vocabulary .* does not cover this text/);
    expectCleanError(await cli('train', ['--resume', out, '--steps', '8', '--lr', '0.5']), 2, '--lr cannot change when resuming');
    expectCleanError(await cli('train', ['--resume', out]), 1, 'has already done 4 of its 4 steps');
    expectCleanError(await cli('train', ['--resume', tmp]), 1, 'is not a wasmgrad run directory');
    // A config that does not describe the saved tensors: another size, another model kind.
    const original = readFileSync(join(out, 'checkpoint.safetensors'));
    rewriteRun(out, (meta) => ({ ...meta, config: { ...(meta.config as object), model: { kind: 'mlp', hidden: 17 } } }));
    expectCleanError(await cli('train', ['--resume', out, '--steps', '8']), 1, "the checkpoint's 'w1' is (20,16) but a mlp (hidden 17) over 20 characters has it (20,17)");
    rewriteRun(out, (meta) => ({ ...meta, config: { ...(meta.config as object), model: { kind: 'linear' } } }));
    expectCleanError(await cli('sample', ['--from', out]), 1, "the checkpoint has no parameter 'm', which a linear over 20 characters has");
    writeFileSync(join(out, 'checkpoint.safetensors'), original);
    const file = join(out, 'checkpoint.safetensors');
    truncateSync(file, statSync(file).size - 10);
    expectCleanError(await cli('train', ['--resume', out, '--steps', '8']), 1, /checkpoint.safetensors.*truncated/);
    expectCleanError(await cli('sample', ['--from', out]), 1, /truncated/);
  });

  test('a loss that becomes NaN/Inf: stop, say so, suggest a lower lr, keep the last good checkpoint', async () => {
    const out = join(tmp, 'diverge');
    const r = await cli('train', [...small, '--preset', 'mlp', '--lr', '1e30', '--steps', '50', '--save-every', '1', '--out', out]);
    expectCleanError(r, 3, /the loss became (NaN|Infinity) at step \d+/, /training diverged. Fix: lower the learning rate, e.g. --lr 1.0e\+29/, /last good checkpoint \(step \d+\)/);
    const saved = checkpoint(out);
    expect(r.stderr).toContain(`(step ${saved.meta.step})`);
    for (const t of Object.values(saved.params)) expect(t.data.every(Number.isFinite)).toBe(true);
    expect(existsSync(join(out, 'metrics.jsonl'))).toBe(true);
  });
});

test('--threads: recorded in the summary, the same losses as one thread; out-of-range values named by the flag', async () => {
  const runs = await Promise.all([1, 2].map((threads) => cli('train', [...small, '--steps', '20', '--threads', String(threads), '--out', join(tmp, `threads-${threads}`), '--json'])));
  const [one, two] = runs.map((r) => {
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  });
  expect([one.threads, two.threads]).toEqual([1, 2]);
  expect(two.finalBatchLoss).toBe(one.finalBatchLoss);
  expect(two.fullDataLoss).toBe(one.fullDataLoss);
  expect(readFileSync(join(tmp, 'threads-2', 'metrics.jsonl'), 'utf8')).toBe(readFileSync(join(tmp, 'threads-1', 'metrics.jsonl'), 'utf8'));
  for (const bad of ['0', '-1', '1.5', '65', 'two']) {
    expectCleanError(await cli('train', [...small, '--steps', '2', '--threads', bad]), 2, `--threads ${bad} is not an integer from 1 to 64`);
  }
  expectCleanError(await cli('train', [...small, '--steps', '2', '--backend', 'js', '--threads', '2']), 1, /only wasm-simd runs on several threads/);
});
