#!/usr/bin/env python3
"""The peer of experiments/fortunes_gpt.toml's training step in PyTorch.

The same model (4 pre-layer-norm blocks of width 128, 4 heads, a 4x GELU MLP,
dropout 0.1, learned positions, the output layer tied to the byte
embedding), the same batch (32 windows of 128 bytes drawn at random offsets
of the same training text) and the same optimizer (AdamW, lr 1e-3, no
weight decay as the file gives none, gradient norm clipped at 1). Attention is written with plain ops,
as PyTorch 1.13 (Debian's python3-torch) has no fused kernel, and as pavlov's.
Prints: BENCH gpt_pytorch <tokens/s>, over the steps after a warm-up.

    /usr/bin/python3 bench/gpt_tokens.py [--steps 60] [--threads 2]
"""
import argparse
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

FORTUNES = "/usr/share/games/fortunes"


def training_text():
    """Every fortune file but every 5th (pavlov's split, nets/data/text_corpus.h)."""
    names = sorted(n for n in os.listdir(FORTUNES)
                   if "." not in n and os.path.isfile(os.path.join(FORTUNES, n))
                   and os.path.exists(os.path.join(FORTUNES, n + ".dat")))
    return b"".join(open(os.path.join(FORTUNES, n), "rb").read() for i, n in enumerate(names) if i % 5)


class Attention(nn.Module):
    def __init__(self, dim, heads, dropout):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value, self.out = (nn.Linear(dim, dim) for _ in range(4))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        B, T, D = x.shape
        split = lambda t: t.view(B, T, self.heads, D // self.heads).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-2, -1) / math.sqrt(D // self.heads)
        mask = torch.ones(T, T, dtype=torch.bool).triu(1)
        weights = torch.softmax(scores.masked_fill(mask, float("-inf")), -1)
        return self.out((self.dropout(weights) @ v).transpose(1, 2).reshape(B, T, D))


class Block(nn.Module):
    def __init__(self, dim, heads, dropout):
        super().__init__()
        self.ln_attn, self.ln_mlp = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = Attention(dim, heads, dropout)
        self.fc, self.proj = nn.Linear(dim, 4 * dim), nn.Linear(4 * dim, dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        x = x + self.dropout(self.attn(self.ln_attn(x)))
        return x + self.dropout(self.proj(F.gelu(self.fc(self.ln_mlp(x)))))


class Gpt(nn.Module):
    def __init__(self, vocab=256, context=128, dim=128, heads=4, layers=4, dropout=0.1):
        super().__init__()
        self.tokens, self.positions = nn.Embedding(vocab, dim), nn.Embedding(context, dim)
        self.blocks = nn.ModuleList(Block(dim, heads, dropout) for _ in range(layers))
        self.ln, self.dropout = nn.LayerNorm(dim), nn.Dropout(dropout)

    def forward(self, tokens):
        x = self.dropout(self.tokens(tokens) + self.positions(torch.arange(tokens.shape[1])))
        for b in self.blocks:
            x = b(x)
        return self.ln(x) @ self.tokens.weight.t()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--context", type=int, default=128)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    text = torch.frombuffer(bytearray(training_text()), dtype=torch.uint8)
    model = Gpt(context=args.context)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
    start = None
    for step in range(args.warmup + args.steps):
        if step == args.warmup:
            start = time.perf_counter()
        at = torch.randint(0, len(text) - args.context - 1, (args.batch,))
        w = torch.stack([text[a:a + args.context + 1] for a in at.tolist()]).long()
        logits = model(w[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, 256), w[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss.item()
    seconds = time.perf_counter() - start
    print(f"BENCH gpt_pytorch {args.steps * args.batch * args.context / seconds:.0f}")


if __name__ == "__main__":
    main()
