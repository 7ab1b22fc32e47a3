#!/usr/bin/env python3
"""wasmgrad's gpt against nanoGPT's GPT in PyTorch, both ways (llm.c's test_gpt2 pattern).

The model below is nanoGPT's model.py, module for module and name for name (so its state_dict has
nanoGPT's keys), written for torch 1.13: attention is the explicit softmax(q·kᵀ/√hs)·v that nanoGPT
runs when flash attention is unavailable, with the causal mask made in forward rather than kept as
a `bias` buffer (as nanoGPT does when flash is available: the buffer is not part of the model).

    python3 nanogpt_check.py check DIR   # DIR/model.safetensors from wasmgrad, DIR/batch.safetensors:
                                         # loads strictly, compares logits, loss and every gradient
    python3 nanogpt_check.py export DIR  # writes DIR/torch.safetensors: a torch-initialised GPT's
                                         # state_dict with its logits for DIR/batch.safetensors' x

Only torch and the standard library: safetensors is read and written here (8-byte header length,
JSON header, little-endian tensors), so Debian's python3-torch is all it needs.
"""
import json
import math
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64}
NAMES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(body[start:end]), dtype=DTYPES[info["dtype"]]) if end > start else torch.empty(0, dtype=DTYPES[info["dtype"]])
        tensors[name] = t.reshape(info["shape"])
    return tensors, meta


def write_safetensors(path, tensors, meta):
    header, chunks, offset = {"__metadata__": meta}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))


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
    batch, _ = read_safetensors(f"{d}/batch.safetensors")
    args = json.loads(batch_meta(d)["model_args"])
    torch.manual_seed(1)
    model = GPT(model_args({"model_args": json.dumps(args)}))
    with torch.no_grad():
        logits = model(batch["x"].long())
    state = {k: v for k, v in model.state_dict().items()}
    meta = {"model_args": json.dumps(args)}
    write_safetensors(f"{d}/torch.safetensors", {**state, "logits": logits.reshape(-1, logits.size(-1))}, meta)
    print(json.dumps({"wrote": sorted(state)}))


def batch_meta(d):
    return read_safetensors(f"{d}/batch.safetensors")[1]


if __name__ == "__main__":
    torch.set_num_threads(1)
    {"check": check, "export": export}[sys.argv[1]](sys.argv[2])
