import type { Part } from './batches.js';

/**
 * How often each token follows each other in a part: counts[a·V + b] for the pair (a, b). These
 * are exactly the (window, target) pairs of a model that sees one token (batches.ts, T = 1).
 */
export function pairCounts(tokens: Int32Array, part: Part, vocabSize: number): Float64Array {
  const counts = new Float64Array(vocabSize * vocabSize);
  for (let i = part.start; i + 1 < part.end; i++) counts[tokens[i] * vocabSize + tokens[i + 1]]++;
  return counts;
}

/**
 * H(next | current) of the pairs in nats: the lowest mean loss any model that sees one character
 * can reach on them (the bigram model's, whose probabilities are the pairs' frequencies).
 */
export function conditionalEntropy(counts: Float64Array, vocabSize: number): number {
  let entropy = 0;
  let total = 0;
  for (let a = 0; a < vocabSize; a++) {
    let row = 0;
    for (let b = 0; b < vocabSize; b++) row += counts[a * vocabSize + b];
    for (let b = 0; b < vocabSize; b++) {
      const c = counts[a * vocabSize + b];
      if (c > 0) entropy -= c * Math.log(c / row);
    }
    total += row;
  }
  return total > 0 ? entropy / total : 0;
}
