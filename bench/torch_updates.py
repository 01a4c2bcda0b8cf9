#!/usr/bin/env python3
"""PyTorch's side of bench_learner_updates: the same model, batch, loss and
optimizer as pavlov's learner for three experiments, written the way a
PyTorch user writes them (SB3/CleanRL style), timed in updates per second.

  dqn_mlp      experiments/cartpole_dqn.toml: MLP 4-256-256-2 (ReLU), Huber
               loss, target network copied every 10 updates, Adam 2.3e-3,
               gradient norm clipped to 10
  dqn_minatar  experiments/minatar_breakout_dqn.toml: uint8 [4,10,10] grids,
               conv 3x3x16, ReLU, 1024-128-3, Huber, target every 1000
               updates, centered RMSprop (2.5e-4, alpha 0.95, eps 0.01), clip 10
  ppo_nature   bench/configs/car_racing_ppo_nature.toml: 96x96x3 frames
               (float32 rows of 0..255 on the host, as SB3's RolloutBuffer
               keeps them; pavlov's rollout keeps the uint8 bytes), the Nature CNN shared by a 512-unit policy torso (3
               Gaussian means, a learned log std) and a 512-unit value torso,
               PPO's clipped loss (value coef 0.5, no entropy term), Adam 3e-4
               eps 1e-5, clip 0.5; its five statistics read once per minibatch

Each update samples its batch on the host (DQN: random rows of a replay of
100k transitions; PPO: a minibatch of a 1024-step rollout), sends it through
pinned memory with non_blocking, and steps; nothing else is read back.

With --amp, the forward passes and losses run under bfloat16 autocast (as
pavlov's experiment.amp = true).

usage: torch_updates.py CASE [--device cuda|cpu] [--batch 32,256,1024] [--seconds S] [--amp]
prints: BENCH torch_<case>_<device>_b<batch> <updates per second>
"""
import argparse
import time

import torch
from torch import nn
import torch.nn.functional as F


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class MinAtarQ(nn.Module):
    def __init__(self, channels, actions):
        super().__init__()
        self.conv = nn.Conv2d(channels, 16, 3)
        self.head = mlp([16 * 8 * 8, 128, actions])

    def forward(self, x):
        return self.head(F.relu(self.conv(x)).flatten(1))


class NatureActorCritic(nn.Module):
    def __init__(self, actions):
        super().__init__()
        self.convs = nn.Sequential(nn.Conv2d(3, 32, 8, 4), nn.ReLU(), nn.Conv2d(32, 64, 4, 2), nn.ReLU(),
                                   nn.Conv2d(64, 64, 3, 1), nn.ReLU())
        self.policy = mlp([64 * 8 * 8, 512, actions])
        self.value = mlp([64 * 8 * 8, 512, 1])
        self.log_std = nn.Parameter(torch.zeros(actions))

    def forward(self, rows):  # rows: [B, 96*96*3] float32 in 0..255, HWC
        x = rows.view(-1, 96, 96, 3).permute(0, 3, 1, 2) * (1.0 / 255.0)
        h = self.convs(x).flatten(1)
        return self.policy(h), self.value(h).squeeze(1)


def upload(t, device):
    return t.pin_memory().to(device, non_blocking=True) if device.type == "cuda" else t


def autocast(device, amp):
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=amp)


def dqn_case(make_net, obs_shape, obs_dtype, actions, optimizer, target_every, batch, device, amp):
    online, target = make_net().to(device), make_net().to(device)
    target.load_state_dict(online.state_dict())
    opt = optimizer(online.parameters())
    n = 100_000
    if obs_dtype == torch.uint8:
        obs = torch.randint(0, 2, (n, *obs_shape), dtype=torch.uint8)
    else:
        obs = torch.randn(n, *obs_shape)
    next_obs = obs.roll(-1, 0)
    act = torch.randint(0, actions, (n,))
    rew = torch.randn(n)
    disc = torch.full((n,), 0.99)
    step = [0]

    def update():
        i = torch.randint(0, n, (batch,))
        o, no = upload(obs[i], device).float(), upload(next_obs[i], device).float()
        a, r, d = upload(act[i], device), upload(rew[i], device), upload(disc[i], device)
        with autocast(device, amp):
            with torch.no_grad():
                y = (r + d * target(no).max(1).values).float()
            q = online(o).gather(1, a.unsqueeze(1)).squeeze(1).float()
            loss = F.smooth_l1_loss(q, y)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(online.parameters(), 10.0)
        opt.step()
        step[0] += 1
        if step[0] % target_every == 0:
            target.load_state_dict(online.state_dict())

    return update


def ppo_case(batch, device, amp):
    net = NatureActorCritic(3).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=3e-4, eps=1e-5)
    n = 1024
    obs = torch.randint(0, 256, (n, 96 * 96 * 3)).float()
    act = torch.randn(n, 3)
    old_lp, old_v = torch.randn(n) - 3, torch.randn(n)
    adv, ret = torch.randn(n), torch.randn(n)
    order = [torch.randperm(n), 0]

    def update():
        if order[1] + batch > n:
            order[0], order[1] = torch.randperm(n), 0
        i = order[0][order[1]:order[1] + batch]
        order[1] += batch
        o, a = upload(obs[i], device), upload(act[i], device)
        lp0, v0 = upload(old_lp[i], device), upload(old_v[i], device)
        ad, rt = upload(adv[i], device), upload(ret[i], device)
        ad = (ad - ad.mean()) / (ad.std() + 1e-8)
        with autocast(device, amp):
            mean, value = net(o)
            mean, value = mean.float(), value.float()
            z = (a - mean) * torch.exp(-net.log_std)
            lp = (-0.5 * z * z - net.log_std - 0.9189385332046727).sum(1)
            log_ratio = lp - lp0
            ratio = log_ratio.exp()
            pg = -torch.min(ad * ratio, ad * ratio.clamp(0.8, 1.2)).mean()
            vf = (rt - value).pow(2).mean()
            ent = (0.5 + 0.9189385332046727 + net.log_std).sum()
            loss = pg + 0.5 * vf
        with torch.no_grad():
            torch.stack([pg, vf, ent, ((ratio - 1) - log_ratio).mean(),
                         ((ratio - 1).abs() > 0.2).float().mean()]).tolist()
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 0.5)
        opt.step()

    return update


def make_update(case, batch, device, amp):
    if case == "dqn_mlp":
        return dqn_case(lambda: mlp([4, 256, 256, 2]), (4,), torch.float32, 2,
                        lambda p: torch.optim.Adam(p, lr=2.3e-3), 10, batch, device, amp)
    if case == "dqn_minatar":
        return dqn_case(lambda: MinAtarQ(4, 3), (4, 10, 10), torch.uint8, 3,
                        lambda p: torch.optim.RMSprop(p, lr=2.5e-4, alpha=0.95, eps=0.01, centered=True),
                        1000, batch, device, amp)
    if case == "ppo_nature":
        return ppo_case(batch, device, amp)
    raise SystemExit(f"unknown case {case}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["dqn_mlp", "dqn_minatar", "ppo_nature"])
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--batch", default="32,256,1024")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--threads", type=int, default=0, help="CPU math threads (0: PyTorch's default)")
    ap.add_argument("--amp", action="store_true", help="bfloat16 autocast for forward passes and losses")
    ap.add_argument("--label", default="", help="appended to the case in the BENCH lines")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for batch in (int(b) for b in args.batch.split(",")):
        update = make_update(args.case, batch, device, args.amp)
        for _ in range(10):  # warm up: allocator caches, cuDNN's algorithm choice
            update()
        sync()
        updates, t0 = 0, time.perf_counter()
        while True:
            for _ in range(5):
                update()
            updates += 5
            if time.perf_counter() - t0 >= args.seconds:
                break
        sync()
        rate = updates / (time.perf_counter() - t0)
        print(f"BENCH torch_{args.case}{args.label}_{device.type}_b{batch} {rate:.1f}", flush=True)


if __name__ == "__main__":
    main()
