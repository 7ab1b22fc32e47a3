"""wasmgrad's character models other than the GPT (that one is nanogpt_model.py), in PyTorch as an
expert writes them: the first layer is a row gather (w1[x], an embedding), never a one-hot matmul.
Parameters are named and laid out as ts/nn/models/*.ts declare them, weights (in, out), except the
context MLP's nn.Linear layers, which are torch's own (out, in).
Shared by context_mlp.py (preset context's recipe) and bench_steps.py (npm run bench's PyTorch column)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def _kaiming(fan_in, *shape):
    """wasmgrad's kaiming init, the step benchmark's: N(0, 2 / fan_in)."""
    return nn.Parameter(torch.randn(*shape) * math.sqrt(2 / fan_in))


class Linear(nn.Module):
    """The notebook's perceptron, one_hot(x) @ m + q, as the row gather m[x] + q."""

    def __init__(self, vocab):
        super().__init__()
        self.m = _kaiming(vocab, vocab, vocab)
        self.q = nn.Parameter(torch.zeros(vocab))

    def forward(self, x):  # x (B, 1) -> logits (B, vocab)
        return self.m[x.view(-1)] + self.q


class Mlp(nn.Module):
    """The notebook's MLP, gelu(one_hot(x) @ w1 + b1) @ w2 + b2, as gelu(w1[x] + b1) and one addmm."""

    def __init__(self, vocab, hidden):
        super().__init__()
        self.w1 = _kaiming(vocab, vocab, hidden)
        self.b1 = nn.Parameter(torch.zeros(hidden))
        self.w2 = _kaiming(hidden, hidden, vocab)
        self.b2 = nn.Parameter(torch.zeros(vocab))

    def forward(self, x):  # x (B, 1) -> logits (B, vocab)
        return torch.addmm(self.b2, F.gelu(self.w1[x.view(-1)] + self.b1), self.w2)


class ContextMlp(nn.Module):
    """Bengio et al. 2003 (makemore): the last `context` characters embedded, concatenated, a GELU layer."""

    def __init__(self, vocab, context, embedding, hidden):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embedding)
        self.hidden = nn.Linear(context * embedding, hidden)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, x):  # x (B, context) -> logits (B, vocab)
        return self.out(F.gelu(self.hidden(self.embedding(x).flatten(1))))


def windows(tokens, starts, length, every=False):
    """Windows tokens[s, s + length) for each start s, and their targets as ts/data/batches.ts cuts
    them: the token after the window (B,), or with `every` the token after each position (B, length)."""
    positions = starts[:, None] + torch.arange(length)
    return tokens[positions], tokens[positions + 1] if every else tokens[starts + length]
