import { WasmgradError } from '../../backend/errors.js';
import { Tape } from '../../autograd/tape.js';
import type { Parameter, Variable } from '../../autograd/variable.js';
import type { Tensor } from '../../backend/tensor.js';
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
 * Linear weights are (out, in), as torch stores them. In training, dropout applies where nanoGPT's
 * does: the embeddings' sum, the attention weights (inside the fused kernel) and each residual branch.
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
  forward: (tape, p, inputs, config, pass) => {
    const [, t] = inputs.shape;
    if (t > config.block) {
      throw new WasmgradError(`the gpt model reads windows of at most ${config.block} tokens (its block size) but got ${t}. Fix: pass at most the last ${config.block} tokens.`);
    }
    // Each dropout site draws its own mask: the step's seed mixed with the site's number.
    let site = 0;
    const seed = () => mixSeed(pass.seed, site++);
    const drop = (x: Variable) => (pass.training ? tape.dropout(x, config.dropout, seed()) : x);
    const attend = (_: number, qkv: Variable) => tape.attention(qkv, config.heads, pass.training ? { p: config.dropout, seed: seed() } : undefined);
    return body(tape, p, config, inputs, tape.positions(t), drop, attend);
  },
  decoder: (backend, p, config) => {
    const { block, layers, embedding: c, heads } = config;
    const tape = new Tape(backend, false);
    // Per layer, the c_attn output (q, k, v) of every position so far: a step computes only its own.
    const caches = Array.from({ length: layers }, () => backend.tensor([block, 3 * c]));
    const token = backend.tensor([1, 1], 'i32');
    const position = backend.tensor([1], 'i32');
    let length = 0;
    return {
      get length() {
        return length;
      },
      push(id: number) {
        if (length === block) throw new WasmgradError(`the decoder holds ${block} positions, the gpt's block size. Fix: reset() it and feed the last characters again.`);
        tape.reset();
        token.i32()[0] = id;
        position.i32()[0] = length;
        const { logits } = body(tape, p, config, token, position, (x) => x, (l, qkv) => {
          backend.copy(caches[l].narrow(length, 1), qkv.value.view([1, 3 * c]));
          return tape.attentionLast(caches[l].narrow(0, length + 1).view([1, length + 1, 3 * c]), heads);
        });
        length++;
        return logits.value;
      },
      reset() {
        length = 0;
      },
      dispose() {
        tape.dispose();
        for (const t of [...caches, token, position]) t.dispose();
      },
    };
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

/**
 * The network from token ids (B, T) and their positions (T) to the logits (B·T, vocab), shared by the
 * full pass and the decoder's step: `attend` turns layer l's c_attn output (B, T, 3C) into the
 * attention output (B, T, C), and `drop` applies dropout where nanoGPT does.
 */
function body(
  tape: Tape, p: ReadonlyMap<string, Parameter>, { layers }: GptConfig, inputs: Tensor, positions: Tensor,
  drop: (x: Variable) => Variable, attend: (layer: number, qkv: Variable) => Variable,
): { embedded: Variable; logits: Variable } {
  const param = (name: string) => p.get(name);
  const layerNorm = (x: Variable, name: string) => tape.layerNorm(x, param(`${name}.weight`)!, param(`${name}.bias`));
  const linear = (x: Variable, name: string) => tape.linearT(x, param(`${name}.weight`)!, param(`${name}.bias`));
  const wte = param('transformer.wte.weight')!;
  const embedded = tape.add(tape.embedding(inputs, wte), tape.embedding(positions, param('transformer.wpe.weight')!)); // (B, T, C)
  let x = drop(embedded);
  for (let l = 0; l < layers; l++) {
    const h = `transformer.h.${l}`;
    x = tape.add(x, drop(linear(attend(l, linear(layerNorm(x, `${h}.ln_1`), `${h}.attn.c_attn`)), `${h}.attn.c_proj`)));
    const hidden = tape.gelu(linear(layerNorm(x, `${h}.ln_2`), `${h}.mlp.c_fc`));
    x = tape.add(x, drop(linear(hidden, `${h}.mlp.c_proj`)));
  }
  const final = layerNorm(x, 'transformer.ln_f');
  const [batch, t, c] = final.shape;
  return { embedded, logits: tape.matmulT(tape.view(final, [batch * t, c]), wte) };
}
