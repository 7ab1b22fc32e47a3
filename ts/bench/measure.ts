/**
 * Timing for the benchmarks (browser-safe). Each measurement first warms up — the first calls of
 * a wasm function run on V8's baseline compiler (Liftoff) until the optimizing tier (TurboFan)
 * replaces it — then takes the median of many samples. A sample repeats the call enough times to
 * last ≥ 1 ms, so timer resolution does not matter for µs-scale kernels.
 */
export interface MeasureOptions {
  /** Warm-up time before sampling. */
  warmupMs?: number;
  /** Sampling stops after this long (but not before minSamples). */
  budgetMs?: number;
  minSamples?: number;
}

const now = () => performance.now();

/** Median milliseconds per call of `fn`. */
export function measure(fn: () => void, options: MeasureOptions = {}): number {
  const { warmupMs = 300, budgetMs = 1000, minSamples = 7 } = options;
  const warmStart = now();
  const warmEnd = warmStart + warmupMs;
  let calls = 0;
  do {
    fn();
    calls++;
    // Three calls at least, unless one call outlasts the whole warm-up (a slow step is warm by then).
  } while (now() < warmEnd || (calls < 3 && now() - warmStart < warmupMs * calls));
  // Calls per sample so that one sample lasts about a millisecond.
  const t0 = now();
  fn();
  const single = Math.max(now() - t0, 1e-4);
  const perSample = Math.max(1, Math.ceil(1 / single));
  const samples: number[] = [];
  const end = now() + budgetMs;
  while (samples.length < minSamples || (now() < end && samples.length < 1000)) {
    const start = now();
    for (let i = 0; i < perSample; i++) fn();
    samples.push((now() - start) / perSample);
  }
  return median(samples);
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
