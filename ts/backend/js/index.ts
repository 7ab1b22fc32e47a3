import { Backend } from '../backend.js';
import type { Kernels } from '../kernels.js';
import { activationKernels } from './activation.js';
import { attentionKernels } from './attention.js';
import { biasKernels } from './bias.js';
import { dropoutKernels } from './dropout.js';
import { embeddingKernels } from './embedding.js';
import { fillKernels } from './fill.js';
import { layernormKernels } from './layernorm.js';
import { lossKernels } from './loss.js';
import { matmulKernels } from './matmul.js';
import { ArrayBufferMemory } from './memory.js';
import { optimKernels } from './optim.js';
import { reduceKernels } from './reduce.js';

const INITIAL_BYTES = 1 << 20;

/** The kernels in plain TypeScript over an ArrayBuffer: the readable reference, and the JS baseline. */
export class JsBackend extends Backend {
  readonly name = 'js' as const;

  constructor() {
    const memory = new ArrayBufferMemory(INITIAL_BYTES);
    // Typed as the wasm module's kernels: a kernel without its JS twin does not compile. The JS
    // backend has no threads: Backend always passes the shared kernels (part, parts) = (0, 1).
    const kernels: Kernels = {
      ...matmulKernels(memory),
      ...biasKernels(memory),
      ...activationKernels(memory),
      ...attentionKernels(memory),
      ...lossKernels(memory),
      ...dropoutKernels(memory),
      ...embeddingKernels(memory),
      ...fillKernels(memory),
      ...layernormKernels(memory),
      ...optimKernels(memory),
      ...reduceKernels(memory),
    };
    super({ memory, heapBase: 0, kernels, matmulWorkspaceBytes: 0 });
  }
}
