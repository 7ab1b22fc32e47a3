#!/usr/bin/env python3
"""A nanoGPT checkpoint as a wasmgrad model file, for `npm run sample -- --from` and
`npm run train -- --init-from`.

    /usr/bin/python3 scripts/pytorch/from_nanogpt.py out-shakespeare-char/ckpt.pt \\
        data/shakespeare_char/meta.pkl model.safetensors

Writes the checkpoint's state_dict as float32 (names as nanoGPT has them: wasmgrad drops torch.compile's
"_orig_mod." prefix and the causal-mask buffers of torch < 2 when it reads the file), its model_args,
and the vocabulary from meta.pkl's itos (the characters in id order). Only torch is needed.
"""
import json
import os
import pickle
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_lite import write_safetensors  # noqa: E402


def main(ckpt_path, meta_path, out_path):
    ckpt = torch.load(ckpt_path, map_location="cpu")
    if not isinstance(ckpt, dict) or "model" not in ckpt or "model_args" not in ckpt:
        sys.exit(f"error: {ckpt_path} is not a nanoGPT checkpoint (no 'model' and 'model_args'). Fix: pass the ckpt.pt that nanoGPT's train.py writes in its out_dir.")
    with open(meta_path, "rb") as f:
        meta = pickle.load(f)
    itos = meta.get("itos")
    if not isinstance(itos, dict):
        sys.exit(f"error: {meta_path} has no 'itos' (id -> character): it is not a character-level meta.pkl. Fix: pass data/shakespeare_char/meta.pkl, which prepare.py writes.")
    vocab = [itos[i] for i in range(len(itos))]
    args = {k: v for k, v in ckpt["model_args"].items() if k in ("n_layer", "n_head", "n_embd", "block_size", "bias", "vocab_size", "dropout")}
    state = {k: v.float() for k, v in ckpt["model"].items()}
    write_safetensors(out_path, state, {"model_args": json.dumps(args), "vocab": json.dumps(vocab)})
    print(f"wrote {out_path}: {len(state)} tensors, model_args {json.dumps(args)}, {len(vocab)} characters")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
