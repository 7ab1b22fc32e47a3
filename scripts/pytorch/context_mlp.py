#!/usr/bin/env python3
"""Preset `context` in PyTorch, for the speed and loss comparison in the issue notes.

The same model (embedding 16 for each of the last 8 characters, concatenated, Linear 128 -> 256,
GELU, Linear 256 -> 65), Adam (0.9, 0.999) lr 3e-3 with cosine decay to 0 over 3000 steps, batch 256
windows drawn at random offsets of the first 90% of tiny-shakespeare; validation loss over every
window of the last 10%. One thread, as `npm run train` uses one core.

    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=1 \
      /usr/bin/python3 scripts/pytorch/context_mlp.py datasets/tinyShakespeare.txt
"""
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from char_models import ContextMlp, windows  # noqa: E402

torch.set_num_threads(1)
torch.manual_seed(0)
CONTEXT, EMBEDDING, HIDDEN, BATCH, STEPS, LR = 8, 16, 256, 256, 3000, 3e-3

text = open(sys.argv[1], encoding="utf-8").read()
chars = sorted(set(text))
data = torch.tensor([chars.index(c) for c in text], dtype=torch.long)
train_end = len(data) - round(0.1 * len(data))
train, val = data[:train_end], data[train_end:]


model = ContextMlp(len(chars), CONTEXT, EMBEDDING, HIDDEN)
opt = torch.optim.Adam(model.parameters(), lr=LR)
start = time.perf_counter()
for step in range(STEPS):
    for g in opt.param_groups:
        g["lr"] = 0.5 * LR * (1 + math.cos(math.pi * step / STEPS))
    x, y = windows(train, torch.randint(len(train) - CONTEXT, (BATCH,)), CONTEXT)
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
train_seconds = time.perf_counter() - start

with torch.no_grad():
    total, count = 0.0, len(val) - CONTEXT
    for first in range(0, count, 16384):
        starts = torch.arange(first, min(first + 16384, count))
        x, y = windows(val, starts, CONTEXT)
        total += F.cross_entropy(model(x), y, reduction="sum").item()
print(f"torch {torch.__version__}: validation loss {total / count:.4f} over {count} windows; "
      f"{STEPS} steps in {train_seconds:.1f} s ({1000 * train_seconds / STEPS:.2f} ms/step), one thread")
