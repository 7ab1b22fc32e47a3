#!/usr/bin/env python3
"""npm run bench's PyTorch column: ts/bench/step-suite.ts's training steps, and the kernel suite's
matmuls, in PyTorch as an expert writes them, at each thread count asked for.

    /usr/bin/python3 scripts/pytorch/bench_steps.py request.json   # or the request on stdin

The request (ts/bench/pytorch.ts writes it):
    {"vocab": 65, "tokens": 200000, "threads": [1, 2],
     "measure": {"warmupMs": 300, "budgetMs": 1000, "minSamples": 7},
     "steps": [{"id": "...", "config": {...}}],     # the TrainConfig runStepSuite gives its Trainer
     "matmuls": [{"id": "...", "name": "matmul_nn" | "matmul_nt" | "matmul_tn", "shape": [m, k, n]}]}
prints {"torch": version, "results": [{"id": "...", "threads": n, "medianMs": ms, "samples": count}]}.

One step is what wasmgrad's Trainer.trainStep() does: draw a batch of windows at random offsets of
the text, forward, softmax cross-entropy, backward, clip the global gradient norm when the config
clips, and the optimizer's update. The batch is drawn inside the timed step (torch.randint over a
random token tensor, then one gather), as trainStep draws it. Only torch and the standard library:
Debian's python3-torch is all it needs.
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from char_models import ContextMlp, Linear, Mlp, windows  # noqa: E402
from nanogpt_model import GPT  # noqa: E402


def build_model(model, vocab):
    """The module for wasmgrad's model config, its window length, and whether it predicts every position."""
    kind = model["kind"]
    if kind == "linear":
        return Linear(vocab), 1, False
    if kind == "mlp":
        return Mlp(vocab, model["hidden"]), 1, False
    if kind == "context-mlp":
        return ContextMlp(vocab, model["context"], model["embedding"], model["hidden"]), model["context"], False
    if kind == "gpt":
        args = {"n_layer": model["layers"], "n_head": model["heads"], "n_embd": model["embedding"], "block_size": model["block"],
                "bias": model["bias"], "vocab_size": vocab, "dropout": model["dropout"]}
        return GPT(args), model["block"], True
    raise SystemExit(f"bench_steps.py: no PyTorch version of model kind '{kind}'. Fix: add it to scripts/pytorch/char_models.py and build_model here.")


def build_optimizer(config, model):
    """torch's optimizer for the config. The learning rate's schedule is left out: it changes lr's
    value, not what a step costs."""
    name, lr, betas = config["optimizer"], config["lr"], (0.9, config.get("beta2", 0.999))
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=lr)
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr, betas=betas, eps=1e-8)
    if name == "adamw":
        # nanoGPT's groups (matrices and embeddings decay) are wasmgrad's for every model kind.
        return GPT.configure_optimizers(model, config.get("weightDecay", 0.0), lr, betas)
    raise SystemExit(f"bench_steps.py: unknown optimizer '{name}'. Fix: use sgd, adam or adamw.")


def step_case(config, vocab, tokens):
    """One training step of the config as a function of no arguments."""
    batch = config["batch"]
    if batch == "full" or config.get("microBatch", 0) not in (0, batch):
        raise SystemExit("bench_steps.py: full-batch steps and micro-batches are not benchmarked. Fix: give the case a number as batch and no microBatch.")
    model, length, every = build_model(config["model"], vocab)
    model.train()
    optimizer = build_optimizer(config, model)
    clip = config.get("gradClip", 0)
    starts = len(tokens) - length  # windowCount: a window and the token after it stay inside the text

    def step():
        x, y = windows(tokens, torch.randint(starts, (batch,)), length, every)
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()

    return step


def matmul_case(name, shape):
    """c = a @ b in the form the kernel suite times: a stored transposed (tn) or b (nt); BLAS reads the views."""
    m, k, n = shape
    a = torch.randn(k, m) if name == "matmul_tn" else torch.randn(m, k)
    b = torch.randn(n, k) if name == "matmul_nt" else torch.randn(k, n)
    c = torch.empty(m, n)
    left = a.t() if name == "matmul_tn" else a
    right = b.t() if name == "matmul_nt" else b
    return lambda: torch.mm(left, right, out=c)


def median_ms(fn, warmup_ms=300, budget_ms=1000, min_samples=7):
    """ts/bench/measure.ts's method: warm up, then the median of samples that repeat the call enough
    times to last about a millisecond, until the budget is spent (and at least min_samples)."""
    now = lambda: time.perf_counter() * 1000  # noqa: E731
    start = now()
    calls = 0
    while True:
        fn()
        calls += 1
        # Three calls at least, unless one call outlasts the whole warm-up (a slow step is warm by then).
        if now() >= start + warmup_ms and (calls >= 3 or now() - start >= warmup_ms * calls):
            break
    t0 = now()
    fn()
    per_sample = max(1, math.ceil(1 / max(now() - t0, 1e-4)))
    samples = []
    end = now() + budget_ms
    while len(samples) < min_samples or (now() < end and len(samples) < 1000):
        t0 = now()
        for _ in range(per_sample):
            fn()
        samples.append((now() - t0) / per_sample)
    samples.sort()
    mid = len(samples) // 2
    return (samples[mid] if len(samples) % 2 else (samples[mid - 1] + samples[mid]) / 2), len(samples)


def main():
    request = json.load(open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin)
    vocab = request["vocab"]
    measure = request.get("measure", {})
    options = {"warmup_ms": measure.get("warmupMs", 300), "budget_ms": measure.get("budgetMs", 1000), "min_samples": measure.get("minSamples", 7)}
    torch.manual_seed(0)
    tokens = torch.randint(vocab, (request["tokens"],))
    cases = [(s["id"], lambda c=s["config"]: step_case(c, vocab, tokens)) for s in request.get("steps", [])]
    cases += [(m["id"], lambda m=m: matmul_case(m["name"], m["shape"])) for m in request.get("matmuls", [])]
    results = []
    for case_id, make in cases:
        for threads in request["threads"]:
            torch.set_num_threads(threads)
            torch.manual_seed(0)
            ms, samples = median_ms(make(), **options)
            results.append({"id": case_id, "threads": threads, "medianMs": ms, "samples": samples})
    json.dump({"torch": torch.__version__, "results": results}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
