#!/usr/bin/env python3
"""Preset gpt-baby in PyTorch, as nanoGPT's train.py runs it (its CPU recipe: block 64, batch 12,
4 layers, 4 heads, 128 wide, dropout 0, bias off, AdamW lr 1e-3 β2 0.99 weight decay 0.1 on
matrices, 100 warm-up steps and cosine decay to 1e-4 over 2000, gradient clip 1.0), on the same
90/10 split, for the speed and loss comparison in the issue notes. It prints nanoGPT's estimate
(20 batches of each part every 250 steps) and, at the end, the exact validation loss over every
target with windows side by side, as wasmgrad's Trainer.valLoss() measures it.

    OMP_NUM_THREADS=1 /usr/bin/python3 scripts/pytorch/gpt_baby.py datasets/tinyShakespeare.txt [threads] [seed]
"""
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from nanogpt_model import GPT  # noqa: E402

threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1337
torch.set_num_threads(threads)
torch.manual_seed(seed)
BLOCK, BATCH, STEPS, WARMUP, LR, MIN_LR, EVAL_EVERY, EVAL_ITERS = 64, 12, 2000, 100, 1e-3, 1e-4, 250, 20

text = open(sys.argv[1], encoding="utf-8").read()
chars = sorted(set(text))
data = torch.tensor([chars.index(c) for c in text], dtype=torch.long)
n = int(0.9 * len(data))
train, val = data[:n], data[n:]


def get_batch(split):
    d = train if split == "train" else val
    ix = torch.randint(len(d) - BLOCK, (BATCH,))
    return torch.stack([d[i : i + BLOCK] for i in ix]), torch.stack([d[i + 1 : i + 1 + BLOCK] for i in ix])


def loss_of(model, x, y):
    logits = model(x)
    return F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))


@torch.no_grad()
def estimate_loss(model):
    model.eval()
    out = {s: torch.stack([loss_of(model, *get_batch(s)) for _ in range(EVAL_ITERS)]).mean().item() for s in ("train", "val")}
    model.train()
    return out


@torch.no_grad()
def exact_val(model):
    windows = (len(val) - 1) // BLOCK
    total = 0.0
    for w0 in range(0, windows, 256):
        idx = range(w0, min(windows, w0 + 256))
        x = torch.stack([val[w * BLOCK : (w + 1) * BLOCK] for w in idx])
        y = torch.stack([val[w * BLOCK + 1 : (w + 1) * BLOCK + 1] for w in idx])
        total += loss_of(model, x, y).item() * len(idx)
    return total / windows


def get_lr(it):
    if it < WARMUP:
        return LR * (it + 1) / (WARMUP + 1)
    ratio = (it - WARMUP) / (STEPS - WARMUP)
    return MIN_LR + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (LR - MIN_LR)


model = GPT({"n_layer": 4, "n_head": 4, "n_embd": 128, "block_size": BLOCK, "bias": False, "vocab_size": len(chars), "dropout": 0.0})
optimizer = model.configure_optimizers(0.1, LR, (0.9, 0.99))
start = time.time()
train_time = 0.0
for it in range(STEPS + 1):
    if it % EVAL_EVERY == 0:
        losses = estimate_loss(model)
        print(f"step {it}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}", flush=True)
    if it == STEPS:
        break
    t0 = time.time()
    for g in optimizer.param_groups:
        g["lr"] = get_lr(it)
    loss = loss_of(model, *get_batch("train"))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    train_time += time.time() - t0
print(f"exact validation loss {exact_val(model):.4f}; {1000 * train_time / STEPS:.1f} ms/step over {STEPS} steps; wall {time.time() - start:.0f} s ({threads} thread(s), seed {seed})")
