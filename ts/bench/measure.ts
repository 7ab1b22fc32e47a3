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
  return measureInterleaved([fn], options)[0];
}

/**
 * Median milliseconds per call of each of `fns` (the same work on several backends or thread
 * counts), their samples taken in turn, one of each and again: a machine's drift, or a neighbour's
 * load, then touches every one alike, and their ratios hold even when absolute times do not.
 */
export function measureInterleaved(fns: (() => void)[], options: MeasureOptions = {}): number[] {
  const { warmupMs = 300, budgetMs = 1000, minSamples = 7 } = options;
  const perSample = fns.map((fn) => warm(fn, warmupMs));
  const samples: number[][] = fns.map(() => []);
  const end = now() + budgetMs * fns.length;
  while (samples[0].length < minSamples || (now() < end && samples[0].length < 1000)) {
    fns.forEach((fn, i) => {
      const start = now();
      for (let c = 0; c < perSample[i]; c++) fn();
      samples[i].push((now() - start) / perSample[i]);
    });
  }
  return samples.map(median);
}

/** Runs `fn` through its warm-up; returns how many calls make a sample of about a millisecond. */
function warm(fn: () => void, warmupMs: number): number {
  const warmStart = now();
  const warmEnd = warmStart + warmupMs;
  let calls = 0;
  do {
    fn();
    calls++;
    // Three calls at least, unless one call outlasts the whole warm-up (a slow step is warm by then).
  } while (now() < warmEnd || (calls < 3 && now() - warmStart < warmupMs * calls));
  const t0 = now();
  fn();
  const single = Math.max(now() - t0, 1e-4);
  return Math.max(1, Math.ceil(1 / single));
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
