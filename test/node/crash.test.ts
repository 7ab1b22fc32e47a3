import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeSafetensors, encodeSafetensors } from '../../ts/io/safetensors.js';
import { Rng } from '../../ts/util/rng.js';

// Crash safety, as a power cut or an OOM kill tests it: a real training process killed with SIGKILL,
// at random moments and at every dangerous instant inside a save (WASMGRAD_CRASH_AT, ts/node/atomic.ts).
// Each time the directory must resume, say from which step, leave no temporary file, and continue
// bit for bit as the run that was never interrupted.
const ROOT = join(__dirname, '..', '..');
const TSX = pathToFileURL(require.resolve('tsx')).href;
const tmp = mkdtempSync(join(tmpdir(), 'wasmgrad-crash-'));
const STEPS = 120;
const SAVE_EVERY = 3;

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Milliseconds from the first step's line to the end of an uninterrupted run: the window random kills aim at. */
let trainingMs = 0;

interface TrainOptions {
  env?: Record<string, string>;
  /** SIGKILL the process `afterMs` after it printed the progress line of step `atStep` (a line every twelfth step). */
  kill?: { atStep: number; afterMs: number };
  /** The command line to run instead, given the one that runs `npm run train` (a shell with a ulimit, setpriv). */
  wrap?: (command: string[]) => string[];
}

/** Runs `npm run train` with `args`; kills aimed at progress lines land inside the run however fast the machine is. */
function train(args: string[], options: TrainOptions = {}): Promise<Result & { trainingMs: number }> {
  const command = [process.execPath, '--import', TSX, join(ROOT, 'ts', 'node', 'cli', 'train.ts'), ...args];
  const [file, ...argv] = options.wrap ? options.wrap(command) : command;
  return new Promise((resolve) => {
    const child = spawn(file, argv, {
      cwd: tmp,
      env: { ...process.env, FORCE_COLOR: '0', ...options.env },
    });
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    let started = 0;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (started === 0 && /step\s+0 /.test(stderr)) started = performance.now();
      // The first checkpoint (step 0) is saved before the first step line.
      if (options.kill && timer === undefined && new RegExp(`step\\s+${options.kill.atStep} `).test(stderr)) {
        timer = setTimeout(() => child.kill('SIGKILL'), options.kill.afterMs);
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, trainingMs: performance.now() - started });
    });
  });
}

const text = join(tmp, 'text.txt');
{
  const rng = new Rng(1);
  const chars = 'abcdefghij klmnopq\n.';
  let out = chars;
  while (out.length < 20000) out += chars[rng.int(chars.length)];
  writeFileSync(text, out);
}
const ARGS = ['--data', text, '--batch', '32', '--hidden', '8', '--steps', String(STEPS), '--save-every', String(SAVE_EVERY), '--schedule', 'constant', '--log-every', '1'];
const reference = join(tmp, 'reference');
const finalFiles = (dir: string) => ({ checkpoint: readFileSync(join(dir, 'checkpoint.safetensors')), metrics: readFileSync(join(dir, 'metrics.jsonl'), 'utf8') });
let expected: ReturnType<typeof finalFiles>;

beforeAll(async () => {
  const r = await train([...ARGS, '--out', reference]);
  expect(r.code).toBe(0);
  trainingMs = r.trainingMs;
  expected = finalFiles(reference);
}, 60000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Resumes a crashed directory to the end; returns the step it said it resumed from. */
async function resumeAndCheck(dir: string): Promise<number> {
  const r = await train(['--resume', dir]);
  expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  expect(r.code === 0 ? 'exit 0' : r.stderr).toBe('exit 0'); // shows the message if it failed
  const said = /resuming from step (\d+), the newest complete checkpoint in /.exec(r.stderr);
  expect(said).not.toBeNull();
  expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  expect(readdirSync(dir)).toEqual(expect.arrayContaining(['summary.json', 'loss.svg']));
  const got = finalFiles(dir);
  expect(got.metrics).toBe(expected.metrics);
  expect(Buffer.compare(got.checkpoint, expected.checkpoint)).toBe(0);
  return Number(said![1]);
}

// Save number n (the first, at step 0, is n = 1) holds step (n - 1)·SAVE_EVERY.
const stepOfSave = (n: number) => (n - 1) * SAVE_EVERY;

describe('a kill inside a save', () => {
  const rng = new Rng(7);
  const cases: [string, string, number, number][] = [];
  for (const stage of ['before-write', 'mid-write', 'before-rename', 'after-rename']) {
    const n = 2 + rng.int(30);
    // Killed while writing checkpoint n: checkpoint n - 1 is the newest complete one, unless the rename was done.
    cases.push(['checkpoint.safetensors', stage, n, stepOfSave(stage === 'after-rename' ? n : n - 1)]);
    // Killed while writing the metrics copy after checkpoint n: checkpoint n is complete.
    cases.push(['metrics.jsonl', stage, n, stepOfSave(n)]);
  }
  // Killed after the last checkpoint, while writing the summary: the run resumes to finish it.
  cases.push(['summary.json', 'before-rename', 1, STEPS]);
  test.each(cases)('%s, %s, save %i: resumes from step %i', async (file, stage, n, step) => {
    const dir = join(tmp, `hook-${file}-${stage}-${n}`);
    const r = await train([...ARGS, '--out', dir], { env: { WASMGRAD_CRASH_AT: `${file}:${stage}:${n}` } });
    expect(r.signal).toBe('SIGKILL');
    if (stage === 'mid-write' || stage === 'before-rename') expect(readdirSync(dir).some((f) => f.startsWith(`${file}.tmp-`))).toBe(true);
    expect(await resumeAndCheck(dir)).toBe(step);
  }, 60000);
});

test('kill -9 at 20 random moments of a run that saves every 3 steps: 20 of 20 resume where they were', async () => {
  const rng = new Rng(11);
  const steps: number[] = [];
  for (let i = 0; i < 20; i++) {
    const dir = join(tmp, `random-${i}`);
    // A progress line every 12 steps; the kill comes up to the time of 12 steps later.
    const r = await train([...ARGS, '--out', dir], { kill: { atStep: 12 * rng.int(9), afterMs: (rng.uniform() * trainingMs) / 10 } });
    if (r.code === 0) continue; // finished before the kill: nothing to recover (counted below)
    expect(r.signal).toBe('SIGKILL');
    if (readdirSync(dir).includes('summary.json')) {
      // Killed after its last write (the summary is written last): a finished run, nothing to resume.
      expect(Buffer.compare(finalFiles(dir).checkpoint, expected.checkpoint)).toBe(0);
      continue;
    }
    steps.push(await resumeAndCheck(dir));
  }
  // The kills landed during training, not all after it.
  expect(steps.length).toBeGreaterThanOrEqual(15);
  expect(new Set(steps).size).toBeGreaterThanOrEqual(5);
}, 300000);

test('the three-file layout of earlier versions: a kill after its first new checkpoint leaves both, and the next start keeps the new one', async () => {
  const dir = join(tmp, 'legacy');
  // The reference, rewound to the three-file layout at step 60 by rewriting an interrupted copy.
  const mid = join(tmp, 'legacy-source');
  const killed = await train([...ARGS, '--out', mid], { env: { WASMGRAD_CRASH_AT: 'checkpoint.safetensors:before-write:22' } });
  expect(killed.signal).toBe('SIGKILL');
  cpSync(mid, dir, { recursive: true });
  const path = join(dir, 'checkpoint.safetensors');
  const st = decodeSafetensors(readFileSync(path), path);
  const meta = JSON.parse(st.metadata.run);
  expect(meta.step).toBe(stepOfSave(21));
  const params = Object.fromEntries(Object.entries(st.tensors).filter(([k]) => !k.startsWith('optimizer/')));
  const optimizer = Object.fromEntries(Object.entries(st.tensors).filter(([k]) => k.startsWith('optimizer/')).map(([k, t]) => [k.slice(10), t]));
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(params, { format: 'wasmgrad-run', model: 'mlp', step: String(meta.step) }));
  writeFileSync(join(dir, 'optimizer.safetensors'), encodeSafetensors(optimizer, { format: 'wasmgrad-run', optimizer: meta.config.optimizer, step: String(meta.step) }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...meta, version: 2 }));
  rmSync(path);

  // Resumed, it writes its first checkpoint file and is killed before it removes the old files.
  const r = await train(['--resume', dir, '--save-every', '12'], { env: { WASMGRAD_CRASH_AT: 'checkpoint.safetensors:after-rename:1' } });
  expect(r.signal).toBe('SIGKILL');
  expect(readdirSync(dir)).toEqual(expect.arrayContaining(['checkpoint.safetensors', 'config.json', 'model.safetensors']));
  const next = await train(['--resume', dir]);
  expect(next.code).toBe(0);
  // (The resumed run saved every 12 steps: its first save after step 60 was at step 72.)
  expect(next.stderr).toMatch(/resuming from step 72, the newest complete checkpoint in .*; removed the older layout's config.json, model.safetensors, optimizer.safetensors/);
  expect(readdirSync(dir).sort()).toEqual(['checkpoint.safetensors', 'loss.svg', 'metrics.jsonl', 'model.safetensors', 'summary.json']);
  expect(Buffer.compare(readFileSync(join(dir, 'checkpoint.safetensors')), expected.checkpoint)).toBe(0);
  // model.safetensors is today's model file now, not the old layout's.
  expect(decodeSafetensors(readFileSync(join(dir, 'model.safetensors')), 'model').metadata.format).toBe('wasmgrad-model');
}, 60000);

test('a kill before the first save leaves no run to resume, and says so', async () => {
  const dir = join(tmp, 'too-early');
  const r = await train([...ARGS, '--out', dir], { env: { WASMGRAD_CRASH_AT: 'checkpoint.safetensors:before-rename:1' } });
  expect(r.signal).toBe('SIGKILL');
  const again = await train(['--resume', dir]);
  expect(again.code).toBe(1);
  expect(again.stderr.trim()).toMatch(/^error: .* has no complete checkpoint: the run was interrupted before its first save \(removed a temporary file an interrupted save left \(checkpoint.safetensors.tmp-\d+-[0-9a-f]{12}\)\)\. Fix: start the run again with the same settings\.$/);
  expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
});

describe('a save that fails keeps the previous checkpoint and says why', () => {
  test('the file grows past what may be written (ulimit -f, as a full disk): exit 1, the old checkpoint resumes elsewhere', async () => {
    const dir = join(tmp, 'full');
    // The checkpoint grows with its losses (--log-every 1): at 8 KiB a save partway through the run fails.
    const r = await train([...ARGS, '--out', dir], { wrap: (command) => ['bash', '-c', `trap '' XFSZ; ulimit -f 8; exec ${command.map((a) => `'${a}'`).join(' ')}`] });
    expect(r.code).toBe(1);
    const last = r.stderr.trim().split('\n').pop()!;
    expect(last).toMatch(new RegExp(`^error: could not write checkpoint.safetensors in ${dir}: the file is larger than allowed \\(ulimit -f\\) \\(EFBIG\\); the checkpoint already there is unchanged. Fix: .* --resume ${dir} --out <another folder>\\.$`));
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // The previous checkpoint loads, and continues elsewhere exactly as the uninterrupted run.
    const elsewhere = join(tmp, 'full-elsewhere');
    const resumed = await train(['--resume', dir, '--out', elsewhere]);
    expect(resumed.code).toBe(0);
    expect(Number(/resuming from step (\d+)/.exec(resumed.stderr)![1])).toBeGreaterThan(0);
    expect(Buffer.compare(readFileSync(join(elsewhere, 'checkpoint.safetensors')), expected.checkpoint)).toBe(0);
  }, 60000);

  test('a read-only folder (as an unprivileged user, since root may write anywhere): exit 1, the checkpoint there resumes', async () => {
    const dir = join(tmp, 'read-only');
    const killed = await train([...ARGS, '--out', dir], { env: { WASMGRAD_CRASH_AT: 'checkpoint.safetensors:before-write:5' } });
    expect(killed.signal).toBe('SIGKILL');
    chmodSync(tmp, 0o755); // the text and the run are readable by the other user, the run is not writable
    chmodSync(dir, 0o555);
    // Root writes through any mode bits: as root, run the resume as the unprivileged user nobody.
    const asNobody = (command: string[]) => (process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...command] : command);
    const r = await train(['--resume', dir], { wrap: asNobody });
    chmodSync(dir, 0o755);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toMatch(new RegExp(`^error: could not write checkpoint.safetensors in ${dir}: the folder is not writable \\(EACCES\\); the checkpoint already there is unchanged. Fix: `));
    const elsewhere = join(tmp, 'read-only-elsewhere');
    const resumed = await train(['--resume', dir, '--out', elsewhere]);
    expect(resumed.stderr).toMatch(/resuming from step 9, /);
    expect(Buffer.compare(readFileSync(join(elsewhere, 'checkpoint.safetensors')), expected.checkpoint)).toBe(0);
  }, 60000);

  test('the folder vanishes during the run: the error names the folder and the cause', async () => {
    const dir = join(tmp, 'vanishing');
    const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'ts', 'node', 'cli', 'train.ts'), ...ARGS, '--steps', '100000', '--out', dir], { cwd: tmp });
    let stderr = '';
    let moved = false;
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!moved && /step\s+0 /.test(stderr)) {
        renameSync(dir, `${dir}-moved`); // gone at once, as an unmounted drive
        moved = true;
      }
    });
    expect(await done).toBe(1);
    expect(stderr.trim().split('\n').pop()).toMatch(new RegExp(`^error: could not write (checkpoint.safetensors|metrics.jsonl) in ${dir}: the folder no longer exists \\(ENOENT\\)`));
  }, 60000);
});

test('without --save-every, a run shorter than 5 s checkpoints before its first step and at its end only; --save-every N saves every N steps', async () => {
  const base = ARGS.filter((a, i) => a !== '--save-every' && ARGS[i - 1] !== '--save-every');
  // A third write would be a save in between: the crash hook kills the run there.
  const short = await train([...base, '--out', join(tmp, 'cadence-default')], { env: { WASMGRAD_CRASH_AT: 'checkpoint.safetensors:before-write:3' } });
  expect(short.trainingMs).toBeLessThan(5000);
  expect({ code: short.code, signal: short.signal }).toEqual({ code: 0, signal: null });
  const every = await train([...base, '--save-every', '60', '--out', join(tmp, 'cadence-60')], { env: { WASMGRAD_CRASH_AT: 'checkpoint.safetensors:before-write:3' } });
  expect(every.signal).toBe('SIGKILL'); // saves at 0, 60, then the third write (the end) is killed
});
