const { abs } = Math; // bound once: global lookups are slow in jest's vm context

/**
 * Elementwise comparison with a per-element tolerance, reported like llm.c's checker: the tensor's
 * name, the first five offending pairs and the largest difference.
 */
export interface Tolerance {
  atol?: number;
  rtol?: number;
  /** Per-element absolute tolerance (e.g. a matmul's rounding bound); added to atol + rtol·|expected|. */
  bound?: ArrayLike<number>;
}

export function expectClose(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): void {
  const { atol = 0, rtol = 0, bound } = tol;
  if (actual.length !== expected.length) {
    throw new Error(`${name}: length ${actual.length}, expected ${expected.length}`);
  }
  const bad: string[] = [];
  let badCount = 0;
  let maxDiff = 0;
  let maxAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const diff = abs(a - e);
    const allowed = atol + rtol * abs(e) + (bound ? bound[i] : 0);
    if (Number.isNaN(diff) ? !(Number.isNaN(a) && Number.isNaN(e)) : diff > allowed) {
      badCount++;
      if (bad.length < 5) bad.push(`  [${i}] got ${a}, expected ${e} (diff ${diff.toExponential(3)}, allowed ${allowed.toExponential(3)})`);
    }
    if (diff > maxDiff) {
      maxDiff = diff;
      maxAt = i;
    }
  }
  if (badCount > 0) {
    throw new Error(
      `${name}: ${badCount} of ${expected.length} values out of tolerance (atol ${atol}, rtol ${rtol}${bound ? ', plus per-element bound' : ''})\n` +
        `${bad.join('\n')}\n  max |diff| ${maxDiff.toExponential(3)} at [${maxAt}]`,
    );
  }
}

/** Unit roundoff of float32: the relative error of one rounding. */
export const F32_EPS = 2 ** -24;
