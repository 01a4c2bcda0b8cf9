#!/usr/bin/env python3
"""The peer of experiments/fashion_mnist_cnn.toml's training in PyTorch.

The same model (small_cnn: conv 3x3 32 + ReLU + 2x2 max-pool, conv 3x3 64 +
ReLU + 2x2 max-pool, Linear 3136-256 + ReLU, Linear 256-10), the same batch
(128 images), loss and optimizer (cross-entropy, Adam lr 1e-3), the same
augmentation (pad 2 and crop back at a random offset, mirror with
probability 1/2), done on whole batches with tensor ops in the training
loop: PyTorch's cheapest data pipeline for this (torchvision is not in
Debian 12). Pixels in [0, 1]. Reads Debian's dataset-fashion-mnist.
Prints: BENCH cnn_pytorch <training images/s> over the batches after a warm-up.

    /usr/bin/python3 bench/cnn_images.py [--images 16500] [--threads 2]
"""
import argparse
import gzip
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

IMAGES = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
LABELS = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz"


def idx(path, offset):
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=16500, help="training images per epoch (pavlov: data_fraction)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=20, help="batches before the clock starts")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.from_numpy(idx(IMAGES, 16).reshape(-1, 1, 28, 28)[: args.images].copy()).float() / 255.0
    y = torch.from_numpy(idx(LABELS, 8)[: args.images].astype(np.int64))
    padded = F.pad(x, (2, 2, 2, 2))
    net = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(3136, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    batch, span = 128, torch.arange(28)
    perm = torch.randperm(args.images)
    batches = (args.images + batch - 1) // batch
    seen, t0 = 0, None
    for b in range(args.warmup + batches):
        if b == args.warmup:
            t0, seen = time.perf_counter(), 0
        i = perm[(b * batch) % args.images:][:batch]
        n = len(i)
        oy, ox = torch.randint(0, 5, (n,)), torch.randint(0, 5, (n,))
        rows, cols = (oy[:, None] + span)[:, :, None], (ox[:, None] + span)[:, None, :]
        imgs = padded[i, 0][torch.arange(n)[:, None, None], rows, cols]
        flip = torch.rand(n) < 0.5
        imgs = torch.where(flip[:, None, None], imgs.flip(-1), imgs).unsqueeze(1)
        loss = F.cross_entropy(net(imgs), y[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
        seen += n
    print(f"BENCH cnn_pytorch {seen / (time.perf_counter() - t0):.0f}")


if __name__ == "__main__":
    main()
