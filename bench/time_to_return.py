#!/usr/bin/env python3
"""Wall-clock time until the rolling training return (metrics.csv return_mean,
the last 100 episodes) first reaches a threshold, per seed, for one experiment
in several runtime settings. Prints one line per setting: the median over the
seeds, each seed's time (or 'never'), and the env steps at that row.

usage: bench/time_to_return.py EXPERIMENT THRESHOLD [--seeds N] [--build DIR]
                                [--setting NAME 'key=value ...'] ...
Default settings: sync, and async with 1 actor thread.
Run on an idle machine: the figures are wall-clock."""
import argparse
import csv
import pathlib
import statistics
import subprocess
import sys
import tempfile


def first_crossing(metrics, threshold):
    with open(metrics) as f:
        for row in csv.DictReader(f):
            r = row.get("return_mean", "")
            if r and float(r) >= threshold:
                return float(row["wall_time"]), int(float(row["step"]))
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("experiment")
    p.add_argument("threshold", type=float)
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--build", default="build")
    p.add_argument("--setting", nargs=2, action="append", metavar=("NAME", "OVERRIDES"))
    p.add_argument("--log-every", type=int, default=2000)
    a = p.parse_args()
    settings = a.setting or [("sync", ""), ("async_1_actor", "runtime.mode=async runtime.actors=1")]
    pavlov = str(pathlib.Path(a.build) / "pavlov")
    with tempfile.TemporaryDirectory() as work:
        for name, overrides in settings:
            times, cells = [], []
            for seed in range(a.seeds):
                out = pathlib.Path(work) / name / str(seed)
                cmd = [pavlov, "run", a.experiment, f"experiment.out_dir={out}", f"experiment.seed={seed}",
                       f"train.log_every={a.log_every}", "train.eval_every=0"] + overrides.split()
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                hit = first_crossing(next(out.glob("*/metrics.csv")), a.threshold)
                if hit:
                    times.append(hit[0])
                    cells.append(f"{hit[0]:.2f}s@{hit[1]}")
                else:
                    times.append(float("inf"))
                    cells.append("never")
            med = statistics.median(times)
            print(f"TIME {name} median {med:.2f} s  seeds: {' '.join(cells)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
