#!/usr/bin/env python3
"""wasmgrad's gpt against nanoGPT's GPT in PyTorch, both ways (llm.c's test_gpt2 pattern).

The model is scripts/pytorch/nanogpt_model.py: nanoGPT's GPT, module for module and name for name.

    python3 nanogpt_check.py check DIR   # DIR/model.safetensors from wasmgrad, DIR/batch.safetensors:
                                         # loads strictly, compares logits, loss and every gradient
    python3 nanogpt_check.py export DIR  # writes nanoGPT's DIR/ckpt.pt and DIR/meta.pkl for a
                                         # torch-initialised GPT (torch < 2's mask buffers included),
                                         # and DIR/torch-logits.safetensors, its logits for the batch
    python3 nanogpt_check.py resume DIR  # continues DIR/ckpt.pt (from to_nanogpt.py) one step as
                                         # train.py would; compares with DIR/next-params.safetensors

Only torch and the standard library (scripts/pytorch/safetensors_lite.py reads and writes the
files), so Debian's python3-torch is all it needs.
"""
import json
import os
import pickle
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "pytorch"))
from nanogpt_model import GPT  # noqa: E402
from safetensors_lite import read_safetensors, write_safetensors  # noqa: E402

def model_args(meta):
    args = json.loads(meta["model_args"])
    return {k: args[k] for k in ("n_layer", "n_head", "n_embd", "block_size", "bias", "vocab_size")}


def check(d):
    state, meta = read_safetensors(f"{d}/model.safetensors")
    batch, _ = read_safetensors(f"{d}/batch.safetensors")
    # nanoGPT on torch >= 2 (no mask buffer): what wasmgrad's model.safetensors is written for.
    model = GPT({**model_args(meta), "mask_buffer": False}).double()
    # strict: exactly nanoGPT's keys and shapes, or torch raises and names them.
    model.load_state_dict({k: v.double() for k, v in state.items()}, strict=True)
    x, y = batch["x"].long(), batch["y"].long()
    logits = model(x)
    loss = F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))
    loss.backward()
    worst = {}

    def compare(what, ours, ref, atol, rtol):
        ours, ref = ours.double(), ref.detach().double().reshape(ours.shape)
        err = ((ours - ref).abs() - rtol * ref.abs()).max().item()
        worst[what] = (ours - ref).abs().max().item()
        if err > atol:
            raise SystemExit(f"{what}: wasmgrad and PyTorch differ by {worst[what]:.3g} (allowed {atol} + {rtol}·|ref|)")

    compare("logits", batch["logits"], logits, 1e-4, 1e-4)
    compare("loss", batch["loss"], loss.reshape(1), 1e-5, 1e-5)
    grads = {n: p.grad for n, p in model.named_parameters()}
    for name, g in grads.items():
        # lm_head.weight is transformer.wte.weight (tied): one gradient, the sum of both uses.
        compare(f"grad {name}", batch[f"grad.{name}"], g, 2e-5, 2e-3)
    print(json.dumps({"checked": sorted(worst), "max_abs_diff": max(worst.values())}))


def export(d):
    """nanoGPT's own files for a torch-initialised GPT: ckpt.pt as train.py saves it (torch.compile's
    prefix included) and meta.pkl as prepare.py writes it; its logits for the batch's x beside them."""
    batch, meta = read_safetensors(f"{d}/batch.safetensors")
    args = model_args(meta)
    torch.manual_seed(1)
    model = GPT({**args, "mask_buffer": True})
    with torch.no_grad():
        logits = model(batch["x"].long())
    # As train.py saves a compiled model on torch < 2: the state_dict holds the mask buffers.
    state = {f"_orig_mod.{k}": v for k, v in model.state_dict().items()}
    torch.save({"model": state, "model_args": {**args, "dropout": 0.0}, "iter_num": 0, "best_val_loss": torch.tensor(9.9), "config": {}}, f"{d}/ckpt.pt")
    chars = json.loads(meta["vocab"])
    with open(f"{d}/meta.pkl", "wb") as f:
        pickle.dump({"vocab_size": len(chars), "itos": dict(enumerate(chars)), "stoi": {c: i for i, c in enumerate(chars)}}, f)
    write_safetensors(f"{d}/torch-logits.safetensors", {"logits": logits.reshape(-1, logits.size(-1))}, {})
    print(json.dumps({"wrote": sorted(state)}))


def resume(d):
    """Continues DIR/ckpt.pt (from to_nanogpt.py) as nanoGPT's train.py does with init_from='resume',
    for one step on DIR/next-batch.safetensors, and compares the parameters with wasmgrad's own next step."""
    ckpt = torch.load(f"{d}/ckpt.pt", map_location="cpu")
    model = GPT({k: ckpt["model_args"][k] for k in ("n_layer", "n_head", "n_embd", "block_size", "bias", "vocab_size")})
    model.load_state_dict(ckpt["model"], strict=True)
    named = {n: p for n, p in model.named_parameters()}
    cfg = ckpt["config"]
    optimizer = model.configure_optimizers(cfg["weight_decay"], cfg["learning_rate"], (0.9, cfg["beta2"]))
    optimizer.load_state_dict(ckpt["optimizer"])
    batch, meta = read_safetensors(f"{d}/next-batch.safetensors")
    for group in optimizer.param_groups:
        group["lr"] = float(meta["lr"])
    logits = model(batch["x"].long())
    loss = F.cross_entropy(logits.view(-1, logits.size(-1)), batch["y"].long().view(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["grad_clip"])
    optimizer.step()
    ours, _ = read_safetensors(f"{d}/next-params.safetensors")
    worst = 0.0
    for n, p in named.items():
        diff = (p.detach() - ours[n]).abs().max().item()
        worst = max(worst, diff)
        if diff > 2e-6:
            raise SystemExit(f"{n}: after one more step PyTorch and wasmgrad differ by {diff:.3g}")
    print(json.dumps({"loss": loss.item(), "iter_num": ckpt["iter_num"], "params": len(named), "max_abs_diff": worst}))


if __name__ == "__main__":
    torch.set_num_threads(1)
    {"check": check, "export": export, "resume": resume}[sys.argv[1]](sys.argv[2])
