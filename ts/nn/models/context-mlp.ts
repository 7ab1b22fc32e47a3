import type { ModelDefinition } from '../model.js';

export interface ContextMlpConfig {
  kind: 'context-mlp';
  /** Characters the model sees: its window. */
  context: number;
  /** Width of each character's embedding. */
  embedding: number;
  hidden: number;
}

/**
 * Bengio et al. 2003, as in makemore: embed each of the last `context` characters, concatenate,
 * a GELU hidden layer, logits over the vocabulary:
 *   logits = gelu(concat(E[x_1], …, E[x_C]) @ w1 + b1) @ w2 + b2
 */
export const contextMlp: ModelDefinition<ContextMlpConfig> = {
  kind: 'context-mlp',
  description: 'Bengio et al. 2003 (makemore): the last characters embedded, concatenated, a GELU hidden layer',
  fields: [
    { key: 'context', path: 'config.model.context', flag: 'context', label: 'context', help: 'characters the model sees', value: { type: 'int', min: 1 } },
    { key: 'embedding', path: 'config.model.embedding', flag: 'embedding', label: 'embedding', help: 'embedding width per character', value: { type: 'int', min: 1 } },
    { key: 'hidden', path: 'config.model.hidden', flag: 'hidden', label: 'hidden', help: 'hidden units', value: { type: 'int', min: 1 } },
  ],
  defaults: { context: 8, embedding: 16, hidden: 256 },
  parameters: ({ context, embedding, hidden }, v) => [
    { name: 'embedding', shape: [v, embedding], role: 'embedding' },
    { name: 'w1', shape: [context * embedding, hidden], role: 'weight' },
    { name: 'b1', shape: [hidden], role: 'bias' },
    { name: 'w2', shape: [hidden, v], role: 'weight' },
    { name: 'b2', shape: [v], role: 'bias' },
  ],
  window: ({ context }) => context,
  predicts: 'last',
  forward: (tape, p, inputs) => {
    const [batch] = inputs.shape;
    const embedded = tape.embedding(inputs, p.get('embedding')!); // (B, context, embedding)
    const hidden = tape.gelu(tape.linear(tape.view(embedded, [batch, -1]), p.get('w1')!, p.get('b1')!));
    return { embedded, hidden, logits: tape.linear(hidden, p.get('w2')!, p.get('b2')!) };
  },
};
