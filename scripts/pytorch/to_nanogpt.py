#!/usr/bin/env python3
"""A wasmgrad gpt run as a nanoGPT checkpoint: nanoGPT's sample.py samples from it, and its train.py
(init_from='resume') continues it, with the AdamW moments and step count carried over.

    /usr/bin/python3 scripts/pytorch/to_nanogpt.py runs/gpt-baby-<time>/ out-wasmgrad/

Writes out-wasmgrad/ckpt.pt ({model, optimizer, model_args, iter_num, best_val_loss, config}, as
train.py saves it) and out-wasmgrad/meta.pkl (stoi, itos, vocab_size, as prepare.py writes it;
sample.py looks for it in data/<config['dataset']>/). Reads the run's checkpoint.safetensors.
The optimizer state is laid out as nanoGPT's configure_optimizers builds it: one group of the
parameters with two or more dimensions (weight decay), one of the rest (none), each in
named_parameters() order.
"""
import json
import os
import pickle
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_lite import read_safetensors  # noqa: E402


def parameter_names(n_layer, bias):
    """GPT.named_parameters() order (lm_head.weight is transformer.wte.weight, listed once)."""
    def module(name, has_bias):
        return [f"{name}.weight"] + ([f"{name}.bias"] if has_bias else [])

    names = ["transformer.wte.weight", "transformer.wpe.weight"]
    for l in range(n_layer):
        h = f"transformer.h.{l}"
        for part in ("ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"):
            names += module(f"{h}.{part}", bias)
    return names + module("transformer.ln_f", bias)


def main(run_dir, out_dir):
    tensors, meta = read_safetensors(os.path.join(run_dir, "checkpoint.safetensors"))
    run = json.loads(meta["run"])
    config, model = run["config"], run["config"]["model"]
    if model["kind"] != "gpt":
        sys.exit(f"error: {run_dir} trained a {model['kind']} model; nanoGPT has only the gpt. Fix: pass the run directory of a --model gpt run.")
    if config["optimizer"] not in ("adam", "adamw"):
        sys.exit(f"error: {run_dir} trained with {config['optimizer']}; nanoGPT continues only AdamW. Fix: train with --optimizer adamw.")
    args = {"n_layer": model["layers"], "n_head": model["heads"], "n_embd": model["embedding"], "block_size": model["block"],
            "bias": model["bias"], "vocab_size": len(run["vocab"]), "dropout": model["dropout"]}
    names = parameter_names(args["n_layer"], args["bias"])
    params = {n: torch.nn.Parameter(tensors[n].clone()) for n in names}
    decay = [params[n] for n in names if params[n].dim() >= 2]
    nodecay = [params[n] for n in names if params[n].dim() < 2]
    wd = config.get("weightDecay", 0) if config["optimizer"] == "adamw" else 0
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": nodecay, "weight_decay": 0.0}],
                                  lr=config["lr"], betas=(0.9, config.get("beta2", 0.999)))
    steps = run["optimizerSteps"]
    for n in names:
        optimizer.state[params[n]] = {"step": torch.tensor(float(steps)), "exp_avg": tensors[f"optimizer/{n}.m"].clone(), "exp_avg_sq": tensors[f"optimizer/{n}.v"].clone()}
    state_dict = {n: params[n].detach() for n in names}
    state_dict["lm_head.weight"] = state_dict["transformer.wte.weight"]
    if not hasattr(torch.nn.functional, "scaled_dot_product_attention"):
        # nanoGPT on torch < 2 keeps its causal mask as a buffer per block, and loads strictly.
        T = args["block_size"]
        for l in range(args["n_layer"]):
            state_dict[f"transformer.h.{l}.attn.bias"] = torch.tril(torch.ones(T, T)).view(1, 1, T, T)
    os.makedirs(out_dir, exist_ok=True)
    ckpt = {
        "model": state_dict,
        "optimizer": optimizer.state_dict(),
        "model_args": args,
        "iter_num": run["step"],
        "best_val_loss": torch.tensor(1e9),
        "config": {"dataset": "shakespeare_char", "learning_rate": config["lr"], "min_lr": config.get("minLr", 0), "warmup_iters": config.get("warmup", 0),
                   "lr_decay_iters": config["steps"], "max_iters": config["steps"], "beta2": config.get("beta2", 0.999), "weight_decay": wd,
                   "grad_clip": config.get("gradClip", 0), "batch_size": config["batch"], "block_size": model["block"]},
    }
    torch.save(ckpt, os.path.join(out_dir, "ckpt.pt"))
    chars = run["vocab"]
    with open(os.path.join(out_dir, "meta.pkl"), "wb") as f:
        pickle.dump({"vocab_size": len(chars), "itos": dict(enumerate(chars)), "stoi": {c: i for i, c in enumerate(chars)}}, f)
    print(f"wrote {out_dir}/ckpt.pt (step {run['step']}, model_args {json.dumps(args)}) and {out_dir}/meta.pkl")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
