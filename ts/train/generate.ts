import type { Backend } from '../backend/backend.js';
import { Tape } from '../autograd/tape.js';
import type { Vocabulary } from '../data/vocab.js';
import type { Model } from '../nn/models.js';
import type { Rng } from '../util/rng.js';

/**
 * `length` characters sampled from the model, each drawn from the softmax over the previous
 * character's logits (temperature 1), starting after `first`.
 */
export function generate(backend: Backend, model: Model, vocab: Vocabulary, length: number, rng: Rng, first: string): string {
  const tape = new Tape(backend, false);
  const input = backend.tensor([1], 'i32');
  let id = vocab.encode(first)[0];
  const out: number[] = [];
  try {
    for (let i = 0; i < length; i++) {
      tape.reset();
      input.i32()[0] = id;
      const probs = tape.softmax(model.forward(tape, input).logits).f32();
      id = sampleIndex(probs, rng.uniform());
      out.push(id);
    }
  } finally {
    tape.dispose();
    input.dispose();
  }
  return vocab.decode(out);
}

/** The index where the cumulative sum of `probs` first exceeds u ∈ [0, 1). */
export function sampleIndex(probs: ArrayLike<number>, u: number): number {
  let acc = 0;
  for (let j = 0; j < probs.length; j++) {
    acc += probs[j];
    if (u < acc) return j;
  }
  return probs.length - 1; // rounding left the sum just below 1
}
