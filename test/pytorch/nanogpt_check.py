#!/usr/bin/env python3
"""wasmgrad's gpt against nanoGPT's GPT in PyTorch, both ways (llm.c's test_gpt2 pattern).

The model below is nanoGPT's model.py, module for module and name for name (so its state_dict has
nanoGPT's keys), written for torch 1.13: attention is the explicit softmax(q·kᵀ/√hs)·v that nanoGPT
runs when flash attention is unavailable, with the causal mask made in forward rather than kept as
a `bias` buffer (as nanoGPT does when flash is available: the buffer is not part of the model).

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
import math
import os
import pickle
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "pytorch"))
from safetensors_lite import read_safetensors, write_safetensors  # noqa: E402

class LayerNorm(nn.Module):
    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_attn = nn.Linear(c["n_embd"], 3 * c["n_embd"], bias=c["bias"])
        self.c_proj = nn.Linear(c["n_embd"], c["n_embd"], bias=c["bias"])
        self.n_head, self.n_embd = c["n_head"], c["n_embd"]

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q, k, v = (z.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
        att = F.softmax(att.masked_fill(~mask, float("-inf")), dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c["n_embd"], 4 * c["n_embd"], bias=c["bias"])
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * c["n_embd"], c["n_embd"], bias=c["bias"])

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = LayerNorm(c["n_embd"], c["bias"])
        self.attn = CausalSelfAttention(c)
        self.ln_2 = LayerNorm(c["n_embd"], c["bias"])
        self.mlp = MLP(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(c["vocab_size"], c["n_embd"]),
                wpe=nn.Embedding(c["block_size"], c["n_embd"]),
                h=nn.ModuleList([Block(c) for _ in range(c["n_layer"])]),
                ln_f=LayerNorm(c["n_embd"], c["bias"]),
            )
        )
        self.lm_head = nn.Linear(c["n_embd"], c["vocab_size"], bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying, as nanoGPT
        # nanoGPT's _init_weights and its scaled residual projections.
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, mean=0.0, std=0.02)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.zeros_(m.bias)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * c["n_layer"]))

    def forward(self, idx):
        B, T = idx.size()
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(T))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))


def model_args(meta):
    args = json.loads(meta["model_args"])
    return {k: args[k] for k in ("n_layer", "n_head", "n_embd", "block_size", "bias", "vocab_size")}


def check(d):
    state, meta = read_safetensors(f"{d}/model.safetensors")
    batch, _ = read_safetensors(f"{d}/batch.safetensors")
    model = GPT(model_args(meta)).double()
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
    model = GPT(args)
    with torch.no_grad():
        logits = model(batch["x"].long())
    state = {f"_orig_mod.{k}": v for k, v in model.state_dict().items()}
    # What nanoGPT keeps on torch < 2 (no flash attention): the causal mask as a buffer per block.
    for l in range(args["n_layer"]):
        T = args["block_size"]
        state[f"_orig_mod.transformer.h.{l}.attn.bias"] = torch.tril(torch.ones(T, T)).view(1, 1, T, T)
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
    # configure_optimizers: parameters of two or more dimensions decay, the rest do not.
    named = {n: p for n, p in model.named_parameters()}
    cfg = ckpt["config"]
    groups = [{"params": [p for p in named.values() if p.dim() >= 2], "weight_decay": cfg["weight_decay"]},
              {"params": [p for p in named.values() if p.dim() < 2], "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=cfg["learning_rate"], betas=(0.9, cfg["beta2"]))
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
