import { Rng } from '../../ts/util/rng.js';

/** A text with structure to learn: a seeded Markov chain over 20 characters. */
export function markovText(length: number, seed: number): string {
  const rng = new Rng(seed);
  const chars = 'abcdefghij klmnopq\n.';
  let c = 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    c = rng.uniform() < 0.7 ? (c * 7 + 3) % chars.length : rng.int(chars.length);
    out += chars[c];
  }
  return out;
}
