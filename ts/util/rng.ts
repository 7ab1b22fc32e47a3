// Bound once: a global lookup per draw is slow where code runs in a vm context (jest).
const { imul, log, sqrt, cos, PI } = Math;

/**
 * The one seeded PRNG behind initialisation, batch sampling and text generation: xoshiro128**
 * (Blackman & Vigna), 128 bits of state in four uint32 words, so a checkpoint can store it and a
 * resumed run continues the same stream. No Math.random on any training path.
 */
export class Rng {
  private s: Uint32Array;

  constructor(seed: number) {
    // splitmix32 spreads any integer seed over the four words (xoshiro must not start at zero).
    this.s = new Uint32Array(4);
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      this.s[i] = fmix32(x);
    }
  }

  /** The state, to save; `Rng.fromState` restores it exactly. */
  getState(): number[] {
    return Array.from(this.s);
  }

  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff) || state.every((w) => w === 0)) {
      throw new Error(`invalid PRNG state ${JSON.stringify(state)}: expected four uint32 words, not all zero`);
    }
    const rng = new Rng(0);
    rng.s.set(state);
    return rng;
  }

  /** Next uint32. */
  nextU32(): number {
    const s = this.s;
    const result = imul(rotl(imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling), like torch.randint(0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x100000000) throw new Error(`Rng.int: n = ${n} must be an integer in [1, 2^32]`);
    const limit = 0x100000000 - (0x100000000 % n);
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return x % n;
  }

  /** Standard normal (Box–Muller), the distribution of torch.randn. */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]: log stays finite
    const u2 = this.uniform();
    return sqrt(-2 * log(u1)) * cos(2 * PI * u2);
  }

  /** n standard normal draws. */
  normals(n: number, scale = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * scale;
    return out;
  }
}

/**
 * A uint32 that depends on every bit of two integers (a seed and a step, a seed and a layer): seeds
 * derived without drawing from any stream, so they are the same however a run was interrupted.
 */
export function mixSeed(a: number, b: number): number {
  return fmix32((fmix32(a >>> 0) + imul(b >>> 0, 0x9e3779b9)) >>> 0);
}

/** MurmurHash3's 32-bit finaliser: every input bit flips each output bit with probability about 1/2. */
function fmix32(x: number): number {
  let z = x;
  z = imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
