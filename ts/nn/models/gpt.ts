import { WasmgradError } from '../../backend/errors.js';
import type { Variable } from '../../autograd/variable.js';
import { mixSeed } from '../../util/rng.js';
import type { ModelDefinition, ParameterSpec } from '../model.js';

export interface GptConfig {
  kind: 'gpt';
  /** block_size: the longest window, and the rows of the position embedding. */
  block: number;
  /** n_layer: transformer blocks. */
  layers: number;
  /** n_head: attention heads; they divide the embedding. */
  heads: number;
  /** n_embd: the residual stream's width. */
  embedding: number;
  /** Dropout probability on the embeddings' sum and on each residual branch, in training. */
  dropout: number;
  /** Biases in every Linear and LayerNorm (nanoGPT's `bias`). */
  bias: boolean;
}

/**
 * nanoGPT's GPT (Karpathy's model.py), with its state_dict's names and layouts, so a checkpoint
 * converts to and from nanoGPT's with nothing but the tied lm_head added or dropped:
 *   x = drop(wte[idx] + wpe[0..T))
 *   per block: x = x + drop(c_proj(attention(c_attn(ln_1(x)))));  x = x + drop(c_proj(gelu(c_fc(ln_2(x)))))
 *   logits = ln_f(x) @ wteᵀ   (lm_head tied to the token embedding)
 * Linear weights are (out, in), as torch stores them. One difference: nanoGPT also drops attention
 * weights (attn_dropout); the fused attention kernel does not, so with dropout > 0 the two train
 * slightly differently. Every preset that reproduces a nanoGPT number uses dropout 0.
 */
export const gpt: ModelDefinition<GptConfig> = {
  kind: 'gpt',
  description: "nanoGPT's GPT: token + position embeddings, pre-LayerNorm blocks of causal self-attention and a 4x GELU MLP, lm_head tied",
  fields: [
    { key: 'block', path: 'config.model.block', flag: 'block', label: 'block size', help: 'longest window (block_size)', value: { type: 'int', min: 1 } },
    { key: 'layers', path: 'config.model.layers', flag: 'layers', label: 'layers', help: 'transformer blocks (n_layer)', value: { type: 'int', min: 1 } },
    { key: 'heads', path: 'config.model.heads', flag: 'heads', label: 'heads', help: 'attention heads (n_head)', value: { type: 'int', min: 1 } },
    { key: 'embedding', path: 'config.model.embedding', flag: 'embedding', label: 'embedding', help: 'embedding width (n_embd)', value: { type: 'int', min: 1 } },
    { key: 'dropout', path: 'config.model.dropout', flag: 'dropout', label: 'dropout', help: 'dropout probability in training', value: { type: 'number', min: 0, max: 0.9 } },
    { key: 'bias', path: 'config.model.bias', flag: 'bias', label: 'bias', help: 'biases in Linear and LayerNorm layers', value: { type: 'boolean' } },
  ],
  defaults: { block: 64, layers: 4, heads: 4, embedding: 128, dropout: 0, bias: false },
  validate: ({ heads, embedding }) => {
    if (embedding % heads !== 0) {
      throw new WasmgradError(`config.model.heads ${heads} does not divide config.model.embedding ${embedding}: each head takes embedding / heads columns. Fix: choose heads among the divisors of ${embedding}, or an embedding that is a multiple of ${heads}.`);
    }
  },
  parameters: ({ block, layers, embedding: c, bias }, v) => {
    const specs: ParameterSpec[] = [
      { name: 'transformer.wte.weight', shape: [v, c], role: 'embedding' },
      { name: 'transformer.wpe.weight', shape: [block, c], role: 'embedding' },
    ];
    const layerNorm = (name: string) => {
      specs.push({ name: `${name}.weight`, shape: [c], role: 'gain' });
      if (bias) specs.push({ name: `${name}.bias`, shape: [c], role: 'bias' });
    };
    // GPT-2's scaled init: each block adds two projections to the residual stream.
    const linear = (name: string, out: number, inp: number, initScale = 1) => {
      specs.push({ name: `${name}.weight`, shape: [out, inp], role: 'weight', layout: 'out-in', initScale });
      if (bias) specs.push({ name: `${name}.bias`, shape: [out], role: 'bias' });
    };
    const residual = 1 / Math.sqrt(2 * layers);
    for (let l = 0; l < layers; l++) {
      const h = `transformer.h.${l}`;
      layerNorm(`${h}.ln_1`);
      linear(`${h}.attn.c_attn`, 3 * c, c);
      linear(`${h}.attn.c_proj`, c, c, residual);
      layerNorm(`${h}.ln_2`);
      linear(`${h}.mlp.c_fc`, 4 * c, c);
      linear(`${h}.mlp.c_proj`, c, 4 * c, residual);
    }
    layerNorm('transformer.ln_f');
    return specs;
  },
  window: ({ block }) => block,
  predicts: 'every',
  forward: (tape, p, inputs, { block, layers, heads, dropout }, pass) => {
    const [batch, t] = inputs.shape;
    if (t > block) {
      throw new WasmgradError(`the gpt model reads windows of at most ${block} tokens (its block size) but got ${t}. Fix: pass at most the last ${block} tokens.`);
    }
    const param = (name: string) => p.get(name);
    // Each dropout site draws its own mask: the step's seed mixed with the site's number.
    let site = 0;
    const drop = (x: Variable) => (pass.training ? tape.dropout(x, dropout, mixSeed(pass.seed, site++)) : x);
    const layerNorm = (x: Variable, name: string) => tape.layerNorm(x, param(`${name}.weight`)!, param(`${name}.bias`));
    const linear = (x: Variable, name: string) => tape.linearT(x, param(`${name}.weight`)!, param(`${name}.bias`));

    const wte = param('transformer.wte.weight')!;
    let x = drop(tape.add(tape.embedding(inputs, wte), tape.embedding(tape.positions(t), param('transformer.wpe.weight')!))); // (B, T, C)
    for (let l = 0; l < layers; l++) {
      const h = `transformer.h.${l}`;
      const attended = tape.attention(linear(layerNorm(x, `${h}.ln_1`), `${h}.attn.c_attn`), heads);
      x = tape.add(x, drop(linear(attended, `${h}.attn.c_proj`)));
      const hidden = tape.gelu(linear(layerNorm(x, `${h}.ln_2`), `${h}.mlp.c_fc`));
      x = tape.add(x, drop(linear(hidden, `${h}.mlp.c_proj`)));
    }
    const final = layerNorm(x, 'transformer.ln_f');
    return { logits: tape.matmulT(tape.view(final, [batch * t, final.shape[2]]), wte) };
  },
  exchange: {
    framework: 'nanoGPT',
    argsKey: 'model_args',
    tied: { 'lm_head.weight': 'transformer.wte.weight' },
    // Without flash attention (torch < 2) nanoGPT keeps its causal mask as a buffer named attn.bias.
    buffers: /^transformer\.h\.\d+\.attn\.(bias|masked_bias)$/,
    toArgs: ({ block, layers, heads, embedding, dropout, bias }, vocabSize) => ({ n_layer: layers, n_head: heads, n_embd: embedding, block_size: block, bias, vocab_size: vocabSize, dropout }),
    fromArgs: (args) => {
      const get = (key: string, ok: (x: unknown) => boolean, what: string) => {
        if (!ok(args[key])) throw new WasmgradError(`the file's model_args.${key} is ${JSON.stringify(args[key])} but must be ${what}. Fix: convert the nanoGPT checkpoint with scripts/pytorch/from_nanogpt.py, which copies its model_args.`);
        return args[key];
      };
      const count = (x: unknown) => Number.isInteger(x) && (x as number) >= 1;
      const config: GptConfig = {
        kind: 'gpt',
        layers: get('n_layer', count, 'a positive integer') as number,
        heads: get('n_head', count, 'a positive integer') as number,
        embedding: get('n_embd', count, 'a positive integer') as number,
        block: get('block_size', count, 'a positive integer') as number,
        bias: get('bias', (x) => typeof x === 'boolean', 'true or false') as boolean,
        dropout: (get('dropout', (x) => x === undefined || (typeof x === 'number' && x >= 0 && x <= 0.9), 'a number in [0, 0.9]') as number | undefined) ?? 0,
      };
      return { config, vocabSize: get('vocab_size', count, 'a positive integer') as number };
    },
  },
};
