import type { ModelDefinition } from '../model.js';

export interface MlpConfig {
  kind: 'mlp';
  hidden: number;
}

/** The notebook's MLP: gelu(one_hot(x) @ w1 + b1) @ w2 + b2, on the previous character. */
export const mlp: ModelDefinition<MlpConfig> = {
  kind: 'mlp',
  description: "the notebook's MLP: gelu(one_hot(x) @ w1 + b1) @ w2 + b2 on the previous character",
  fields: [
    { key: 'hidden', path: 'config.model.hidden', flag: 'hidden', label: 'hidden', help: 'hidden units', value: { type: 'int', min: 1 } },
  ],
  defaults: { hidden: 128 },
  parameters: ({ hidden: h }, v) => [
    { name: 'w1', shape: [v, h], role: 'weight' },
    { name: 'b1', shape: [h], role: 'bias' },
    { name: 'w2', shape: [h, v], role: 'weight' },
    { name: 'b2', shape: [v], role: 'bias' },
  ],
  window: () => 1,
  predicts: 'last',
  forward: (tape, p, inputs) => {
    // A window of one character: (B, 1) indices are the B rows.
    const hidden = tape.gelu(tape.embedding(inputs.view([-1]), p.get('w1')!, p.get('b1')!));
    return { hidden, logits: tape.linear(hidden, p.get('w2')!, p.get('b2')!) };
  },
};
