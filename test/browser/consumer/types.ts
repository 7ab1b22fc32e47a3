// Type-checked by the test against the installed package's .d.ts (tsc, browser and Node resolution).
import { Checkpoint, loadBackend, loadCheckpoint, makeDataset, PRESETS, Rng, saveCheckpoint, Trainer, type ActivationStats, type RunResult, type StepProgress, type TrainConfig } from 'wasmgrad';

const config: TrainConfig = { ...PRESETS.mlp.config, steps: 5 };
const trainer = new Trainer(await loadBackend('wasm-simd'), makeDataset('abcabc'), { ...config, batch: 2 });
const loss: number = trainer.trainStep();
const stats: ActivationStats = trainer.activationStats();
console.log(loss, stats.softmax);
const saved: Checkpoint = loadCheckpoint(saveCheckpoint(trainer, { metrics: [{ step: 0, loss }] }));
const continued: Trainer = saved.resume(trainer.backend, 'abcabc');
console.log(continued.step, saved.step);
const stop = new AbortController();
const result: RunResult = await continued.run({ signal: stop.signal, onStep: (p: StepProgress) => console.log(p.step, p.loss, p.lr, p.tokensPerSecond, p.etaSeconds) });
console.log(result.reason satisfies 'done' | 'aborted' | 'diverged');
for await (const ch of continued.generateStream(10, new Rng(1), { signal: stop.signal, temperature: 0.8 })) console.log(ch.length);
// @ts-expect-error: not a backend (if the types were missing, this line would not be an error)
void loadBackend('webgpu');
