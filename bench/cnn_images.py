#!/usr/bin/env python3
"""The peer of experiments/fashion_mnist_cnn.toml's (or, with --net resnet,
fashion_mnist_resnet.toml's) training in PyTorch.

cnn: the same model (small_cnn: conv 3x3 32 + ReLU + 2x2 max-pool, conv 3x3
64 + ReLU + 2x2 max-pool, Linear 3136-256 + ReLU, Linear 256-10), batch (128
images), loss and optimizer (cross-entropy, Adam lr 1e-3) and augmentation
(pad 2 and crop back at a random offset, mirror with probability 1/2).
resnet: the pre-activation ResNet-20 of nets/conv_encoder.h (stem 3x3 conv,
3 stages of 3 basic blocks with 16/32/64 channels, 1x1 projections where the
shape changes, BN + ReLU + global average pool, Linear 64-10), SGD with
Nesterov momentum 0.9, lr 0.1, weight decay 5e-4, and random erasing
(p = 0.5) after the crop and mirror.
Augmentation is done on whole batches with tensor ops in the training loop:
PyTorch's cheapest data pipeline for this (torchvision is not in Debian 12).
Pixels in [0, 1]. Reads Debian's dataset-fashion-mnist.
Prints: BENCH <net>_pytorch <training images/s> over the batches after a warm-up.

    /usr/bin/python3 bench/cnn_images.py [--net cnn|resnet] [--images 16500] [--threads 2]
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


class PreActBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn0, self.bn1 = nn.BatchNorm2d(cin), nn.BatchNorm2d(cout)
        self.conv0 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.conv1 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.projection = nn.Conv2d(cin, cout, 1, stride, bias=False) if cin != cout or stride != 1 else None

    def forward(self, x):
        a = F.relu(self.bn0(x))
        shortcut = self.projection(a) if self.projection is not None else x
        return self.conv1(F.relu(self.bn1(self.conv0(a)))) + shortcut


def resnet(channels=(16, 32, 64), blocks=3):
    layers, cin = [nn.Conv2d(1, channels[0], 3, 1, 1, bias=False)], channels[0]
    for stage, cout in enumerate(channels):
        for b in range(blocks):
            layers.append(PreActBlock(cin, cout, 2 if stage > 0 and b == 0 else 1))
            cin = cout
    layers += [nn.BatchNorm2d(cin), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10)]
    return nn.Sequential(*layers)


def random_erase(imgs, p=0.5):
    """Zhong et al.'s random erasing on a batch [n, 1, h, w]: each image with probability p gets one
    rectangle of 2-40 % of its area (aspect 0.3-3.3) filled with uniform random pixels."""
    n, _, h, w = imgs.shape
    area = torch.empty(n).uniform_(0.02, 0.4) * h * w
    aspect = torch.empty(n).uniform_(0.3, 1 / 0.3)
    eh = (area * aspect).sqrt().round().long().clamp(1, h - 1)
    ew = (area / aspect).sqrt().round().long().clamp(1, w - 1)
    y0 = (torch.rand(n) * (h - eh + 1)).long()
    x0 = (torch.rand(n) * (w - ew + 1)).long()
    ys, xs = torch.arange(h)[None, :, None], torch.arange(w)[None, None, :]
    inside = (ys >= y0[:, None, None]) & (ys < (y0 + eh)[:, None, None]) & (xs >= x0[:, None, None]) & (xs < (x0 + ew)[:, None, None])
    inside &= (torch.rand(n) < p)[:, None, None]
    noise = torch.randint(0, 256, imgs.shape).float() / 255.0
    return torch.where(inside[:, None], noise, imgs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--net", choices=["cnn", "resnet"], default="cnn")
    ap.add_argument("--images", type=int, default=16500, help="training images per epoch (pavlov: data_fraction)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=20, help="batches before the clock starts")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.from_numpy(idx(IMAGES, 16).reshape(-1, 1, 28, 28)[: args.images].copy()).float() / 255.0
    y = torch.from_numpy(idx(LABELS, 8)[: args.images].astype(np.int64))
    padded = F.pad(x, (2, 2, 2, 2))
    if args.net == "cnn":
        net = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                            nn.Linear(3136, 256), nn.ReLU(), nn.Linear(256, 10))
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    else:
        net = resnet()
        opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
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
        if args.net == "resnet":
            imgs = random_erase(imgs)
        loss = F.cross_entropy(net(imgs), y[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
        seen += n
    print(f"BENCH {args.net}_pytorch {seen / (time.perf_counter() - t0):.0f}")


if __name__ == "__main__":
    main()
