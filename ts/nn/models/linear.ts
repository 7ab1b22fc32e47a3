import type { ModelDefinition } from '../model.js';

export interface LinearConfig {
  kind: 'linear';
}

/** The notebook's "perceptron": logistic regression on one-hot characters, one_hot(x) @ m + q. */
export const linear: ModelDefinition<LinearConfig> = {
  kind: 'linear',
  description: "the notebook's perceptron: one_hot(x) @ m + q, logistic regression on the previous character",
  fields: [],
  defaults: {},
  parameters: (_config, v) => [
    { name: 'm', shape: [v, v], role: 'weight' },
    { name: 'q', shape: [v], role: 'bias' },
  ],
  window: () => 1,
  predicts: 'last',
  // A window of one character: (B, 1) indices are the B rows.
  forward: (tape, p, inputs) => ({ logits: tape.embedding(inputs.view([-1]), p.get('m')!, p.get('q')!) }),
};
