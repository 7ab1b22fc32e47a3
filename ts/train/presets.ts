import type { TrainConfig } from './config.js';

/**
 * nanoGPT's published CPU recipe for its character-level Shakespeare GPT, hyper-parameter for
 * hyper-parameter (README, "I only have a macbook"): nanoGPT reports validation loss 1.88.
 * nanoGPT's train.py defaults complete it: bias off, AdamW β2 0.99 (its shakespeare_char config),
 * weight decay 0.1, gradient clip 1.0.
 */
const GPT_BABY: TrainConfig = {
  model: { kind: 'gpt', block: 64, layers: 4, heads: 4, embedding: 128, dropout: 0, bias: false },
  init: 'gpt2', optimizer: 'adamw', lr: 1e-3, schedule: 'cosine', warmup: 100, minLr: 1e-4, beta2: 0.99, weightDecay: 0.1, gradClip: 1,
  batch: 12, steps: 2000, seed: 0, valFraction: 0.1, logEvery: 10, evalEvery: 250, evalBatches: 20,
};

/** The notebook's cells, each with its exact hyper-parameters, and our own recipes. */
export const PRESETS = {
  /** Cell [4]: full-batch gradient descent on one_hot(x) @ m + q over all 1.1M positions. */
  'perceptron-full': {
    description: "notebook cell 4: logistic regression, full-batch gradient descent, 10 epochs, lr 1e-2",
    config: { model: { kind: 'linear' }, init: 'randn', optimizer: 'sgd', lr: 1e-2, schedule: 'constant', batch: 'full', steps: 10, seed: 0, valFraction: 0, logEvery: 1 },
  },
  /** Cell [5]: the same model on random batches of 1024. */
  perceptron: {
    description: 'notebook cell 5: logistic regression, SGD on batches of 1024, 10000 steps, lr 1e-2',
    config: { model: { kind: 'linear' }, init: 'randn', optimizer: 'sgd', lr: 1e-2, schedule: 'constant', batch: 1024, steps: 10000, seed: 0, valFraction: 0, logEvery: 10 },
  },
  /** Cell [6]: the GELU MLP with torch.randn initialisation (its loss starts near 25). */
  mlp: {
    description: 'notebook cell 6: MLP (hidden 128, GELU), randn init, SGD, batch 1024, 10000 steps, lr 1e-2',
    config: { model: { kind: 'mlp', hidden: 128 }, init: 'randn', optimizer: 'sgd', lr: 1e-2, schedule: 'constant', batch: 1024, steps: 10000, seed: 0, valFraction: 0, logEvery: 10 },
  },
  /** Cell [8]: the same MLP with every parameter divided by its norm over dim 0. */
  'mlp-normalized': {
    description: 'notebook cell 8: the MLP with normalized init (p /= norm(p, dim=0)), otherwise as mlp',
    config: { model: { kind: 'mlp', hidden: 128 }, init: 'normalized', optimizer: 'sgd', lr: 1e-2, schedule: 'constant', batch: 1024, steps: 10000, seed: 0, valFraction: 0, logEvery: 10 },
  },
  /** Ours: the MLP with Kaiming init and Adam, cosine-decayed: the bigram optimum in seconds. */
  default: {
    description: 'our recipe: MLP (hidden 128), kaiming init, Adam lr 3e-2 with cosine decay, batch 1024, 700 steps, 10% validation',
    config: { model: { kind: 'mlp', hidden: 128 }, init: 'kaiming', optimizer: 'adam', lr: 3e-2, schedule: 'cosine', batch: 1024, steps: 700, seed: 0, valFraction: 0.1, logEvery: 10 },
  },
  /**
   * Ours: the first model that sees context (Bengio et al. 2003): 8 characters, embedded in 16 each,
   * a GELU layer of 256. xavier init: 1.871 validation loss, where kaiming's larger first-layer
   * weights reach 1.891. The same recipe in PyTorch (scripts/pytorch/context_mlp.py) reaches 1.866.
   */
  context: {
    description: 'context MLP: the last 8 characters embedded (16 each), GELU hidden 256, xavier init, Adam lr 3e-3 cosine, batch 256, 3000 steps, 10% validation',
    config: { model: { kind: 'context-mlp', context: 8, embedding: 16, hidden: 256 }, init: 'xavier', optimizer: 'adam', lr: 3e-3, schedule: 'cosine', batch: 256, steps: 3000, seed: 0, valFraction: 0.1, logEvery: 10 },
  },
  /** nanoGPT's CPU recipe (GPT_BABY above). */
  'gpt-baby': {
    description: "nanoGPT's CPU recipe: GPT block 64, 4 layers, 4 heads, 128 wide, batch 12, AdamW lr 1e-3 (100 warm-up, cosine to 1e-4), 2000 steps",
    config: GPT_BABY,
  },
  /**
   * Ours: the best validation loss ten minutes of training buy on this 2-core machine with the
   * default threads (2: 65 ms/step): gpt-baby's model and recipe at twice the learning rate (2e-3,
   * cosine to 2e-4), 6000 steps in 6.7 min. Validation 1.588 over the whole held-out tenth (gpt-baby: 1.904;
   * 2500 steps of this recipe, ten minutes on one core: 1.753).
   */
  'gpt-small': {
    description: 'ours: the gpt-baby model and recipe at lr 2e-3 (cosine to 2e-4) for 6000 steps: the best of ten minutes on two cores',
    config: { ...GPT_BABY, lr: 2e-3, minLr: 2e-4, steps: 6000 },
  },
  /**
   * nanoGPT's config/train_shakespeare_char.py (its GPU recipe; nanoGPT reports 1.47): for users with
   * patience. The batch of 64 runs in eight passes of 8 windows: its activations would not fit in
   * wasm32's 4 GiB at once.
   */
  'gpt-shakespeare': {
    description: "nanoGPT's GPU recipe: GPT block 256, 6 layers, 6 heads, 384 wide, dropout 0.2, batch 64, AdamW lr 1e-3, 5000 steps",
    config: {
      model: { kind: 'gpt', block: 256, layers: 6, heads: 6, embedding: 384, dropout: 0.2, bias: false },
      init: 'gpt2', optimizer: 'adamw', lr: 1e-3, schedule: 'cosine', warmup: 100, minLr: 1e-4, beta2: 0.99, weightDecay: 0.1, gradClip: 1,
      batch: 64, microBatch: 8, steps: 5000, seed: 0, valFraction: 0.1, logEvery: 10, evalEvery: 250, evalBatches: 200,
    },
  },
} satisfies Record<string, { description: string; config: TrainConfig }>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
