// Math's functions bound once: a global lookup per element is slow inside a vm context (jest's).
const { exp } = Math;

/**
 * erfc(z) for z ≥ 0: the Chebyshev fit of Numerical Recipes §6.2, fractional error < 1.2e-7
 * everywhere — as accurate as f32 can hold, and relative, so 1 + erf(z) = erfc(-z) keeps its
 * digits for negative z. JavaScript has no Math.erf. Same fit as crate/src/math.rs, in float64.
 */
export function erfcNonneg(z: number): number {
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * exp(poly - z * z);
}

/** 1 + erf(z), without cancellation for negative z. */
export function onePlusErf(z: number): number {
  return z < 0 ? erfcNonneg(-z) : 2 - erfcNonneg(z);
}
