#!/usr/bin/env python3
"""Runs the experiments of docs/results.md over seeds and writes the table.

    python3 experiments/results.py                 # every experiment with a '# target:' line, seeds 0-4
    python3 experiments/results.py experiments/pendulum_sac.toml --seeds 3
    python3 experiments/results.py --collect        # only rebuild docs/results.md from finished runs
                                                   # (files without runs here keep their rows)

Each run goes to <runs>/<file stem>/seed<k>/ (default runs: results/); a seed
whose eval.json exists is not run again, and a seed whose run stopped before
its end (Ctrl-C, kill, a machine going away) is resumed from its last
checkpoint, so an interrupted sweep continues where it stopped. Runs go one after another, so wall-clock figures are those
of a machine doing nothing else.

An experiment file joins the table through two header lines:
    # target: final >= 475        the claim: the final (or best) greedy evaluation's mean return,
                                  or `success >= 0.9`: the final evaluation's success rate, per seed,
                                  or `test_accuracy >= 0.89` for a supervised task (its own table;
                                  test_miou for segmentation, test_map50 for detection)
    # target: test_nelbo <= 240     a generative task: the test negative ELBO, nats per image (its own table)
    # anchor: rl-zoo 500 @ 5e5    the published figure it is compared with
"""
import argparse
import csv
import glob
import json
import math
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def header(path):
    target = anchor = None
    with open(path) as f:
        for line in f:
            if not line.startswith("#"):
                break
            m = re.match(r"#\s*target:\s*(final|best|success|test_accuracy|test_miou|test_map50)\s*>=\s*(-?[0-9.]+)", line)
            if m:
                target = (m.group(1), float(m.group(2)))
            m = re.match(r"#\s*target:\s*(test_nelbo)\s*<=\s*(-?[0-9.]+)", line)
            if m:
                target = (m.group(1), float(m.group(2)))
            m = re.match(r"#\s*anchor:\s*(.+)", line)
            if m:
                anchor = m.group(1).strip()
    return target, anchor


def run_dir(runs, path, seed):
    return os.path.join(runs, os.path.splitext(os.path.basename(path))[0], f"seed{seed}")


def finished(runs, path, seed):
    found = glob.glob(os.path.join(run_dir(runs, path, seed), "*", "eval.json"))
    return sorted(found)[-1] if found else None


def interrupted(runs, path, seed):
    """The newest run folder of a seed that has checkpoints but no eval.json (stopped mid-way)."""
    found = [d for d in glob.glob(os.path.join(run_dir(runs, path, seed), "*", ""))
             if not os.path.exists(os.path.join(d, "eval.json")) and os.path.exists(os.path.join(d, "checkpoints", "latest"))]
    return sorted(found)[-1] if found else None


def run(pavlov, runs, path, seed):
    if finished(runs, path, seed):
        return
    out = run_dir(runs, path, seed)
    stopped = interrupted(runs, path, seed)
    if stopped:  # a sweep cut off (Ctrl-C, a session's end) continues from its last checkpoint
        print(f"== {path} seed {seed}: resuming {stopped}", flush=True)
        command = [pavlov, "resume", stopped]
    else:
        print(f"== {path} seed {seed}", flush=True)
        command = [pavlov, "run", path, f"experiment.seed={seed}", f"experiment.out_dir={out}"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summary(runs, path):
    """Every finished seed of `path` in `runs` (not only the ones this call ran)."""
    target, anchor = header(path)
    finals, bests, walls, steps, successes, passed = [], [], [], [], [], 0
    seed_dirs = glob.glob(os.path.join(runs, os.path.splitext(os.path.basename(path))[0], "seed*"))
    for seed in sorted(int(os.path.basename(d)[4:]) for d in seed_dirs if os.path.basename(d)[4:].isdigit()):
        ev = finished(runs, path, seed)
        if not ev:
            continue
        e = json.load(open(ev))
        with open(os.path.join(os.path.dirname(ev), "metrics.csv")) as f:
            last = list(csv.DictReader(f))[-1]
        walls.append(float(last["wall_time"]))
        if e.get("task") == "vae":  # nats per image, lower is better; steps are epochs
            finals.append(e["test_nelbo"])
            bests.append(e["test_nll_iw"])
            steps.append(int(e["epochs"]))
            passed += bool(target) and e["test_nelbo"] <= target[1]
            continue
        if e.get("task") in ("classify", "segment", "detect"):  # percentages; steps are epochs
            key = {"classify": "accuracy", "segment": "miou", "detect": "map50"}[e["task"]]
            finals.append(100 * e["test_" + key])
            bests.append(100 * e["best_val_" + key])
            steps.append(int(e["epochs"]))
            passed += bool(target) and e["test_" + key] >= target[1]
            continue
        finals.append(e["final"]["mean"])
        bests.append(e["best"]["mean"])
        steps.append(int(float(last["step"])))
        if target and target[0] == "success":
            successes.append(e["final"].get("success_rate", 0.0))
            passed += successes[-1] >= target[1]
        elif target and e[target[0]]["mean"] >= target[1]:
            passed += 1
    return target, anchor, finals, bests, walls, steps, successes, passed


def fmt(values):
    if not values:
        return "-"
    sd = statistics.pstdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.1f} ± {sd:.1f}"


KEEP_MARKER = "<!-- kept by results.py: hand-written sections below -->"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--runs", default=os.path.join(ROOT, "results"))
    ap.add_argument("--collect", action="store_true", help="only write docs/results.md from the runs there are")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "results.md"))
    args = ap.parse_args()
    files = args.files or sorted(p for p in glob.glob(os.path.join(ROOT, "experiments", "*.toml")) if header(p)[0])
    if not args.collect:
        for path in files:
            for seed in range(args.seeds):
                run(os.path.join(args.build, "pavlov"), args.runs, path, seed)
    all_files = sorted(p for p in glob.glob(os.path.join(ROOT, "experiments", "*.toml")) if header(p)[0])
    lines = [
        "# Results",
        "",
        "Generated by `python3 experiments/results.py` (see its header); do not edit by hand.",
        "Each row: one experiment file run with seeds 0..N-1, unchanged. *final* is the greedy evaluation",
        "(train.eval_episodes, 10 unless the file says otherwise) at the end of the run, *best* the best of",
        "the periodic evaluations (train.eval_every, kept as checkpoints/best.ckpt); both as mean ± std over",
        "seeds of each seed's mean return.",
        "*target* is the claim of the file's header, checked per seed; wall-clock is the mean per run",
        "(evaluations included) on the machine named below.",
        "",
        "| experiment | env steps | final | best | target | seeds meeting it | wall-clock | anchor |",
        "|---|---|---|---|---|---|---|---|",
    ]
    # A file with no finished run in --runs keeps its row from the table as it
    # is: runs are not kept in the repository, so a fresh clone (or another
    # machine) that measures one file must not drop every other file's figures.
    previous = {}
    if os.path.exists(args.out):
        with open(args.out) as f:
            generated = f.read().split(KEEP_MARKER)[0]  # not the hand-written sections
        for line in generated.splitlines():
            m = re.match(r"\| `(experiments/[^`]+)` \|", line)
            if m:
                previous.setdefault(m.group(1), line)
    supervised, generative = [], []
    for path in all_files:
        target, anchor, finals, bests, walls, steps, successes, passed = summary(args.runs, path)
        name = os.path.relpath(path, ROOT)
        supervised_names = {"test_accuracy": "test accuracy", "test_miou": "test mean IoU", "test_map50": "test mAP@0.5"}
        table = generative if target[0] == "test_nelbo" else supervised if target[0] in supervised_names else lines
        if not finals:
            if name in previous:
                table.append(previous[name])
            continue
        runs = f"{passed}/{len(finals)} | {statistics.mean(walls):.1f} s | {anchor or '-'} |"
        if table is generative:
            table.append(f"| `{name}` | {max(steps)} | {fmt(finals)} | {fmt(bests)} | -ELBO ≤ {target[1]:g} | {runs}")
        elif table is supervised:
            table.append(f"| `{name}` | {max(steps)} | {fmt(finals)} % | {fmt(bests)} % | "
                         f"{supervised_names[target[0]]} ≥ {100 * target[1]:g} % | {runs}")
        else:
            final = fmt(finals) + (f" (success {fmt([100 * x for x in successes])} %)" if successes else "")
            table.append(f"| `{name}` | {max(steps):,} | {final} | {fmt(bests)} | {target[0]} ≥ {target[1]:g} | {runs}")
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    if supervised:
        lines += ["", "The zoo's supervised tasks: the test score after the last epoch (accuracy; mean IoU for",
                  "segmentation; mAP@0.5 for detection) and the best validation score, mean ± std over seeds.", "",
                  "| experiment | epochs | test score | best validation | target | seeds meeting it | wall-clock | anchor |",
                  "|---|---|---|---|---|---|---|---|"] + supervised
    if generative:
        lines += ["", "The zoo's generative tasks: the test negative ELBO after the last epoch and the",
                  "importance-weighted estimate of -log p(x) (task.iw_samples samples per image), nats per",
                  "image, mean ± std over seeds.", "",
                  "| experiment | epochs | test -ELBO | test -log p(x) (IW) | target | seeds meeting it | wall-clock | anchor |",
                  "|---|---|---|---|---|---|---|---|"] + generative
    lines += ["", f"Machine: {os.cpu_count()} cores, {cpu}.", ""]
    # Sections below the marker are written by hand (benchmarks measured elsewhere) and kept.
    kept = ""
    if os.path.exists(args.out):
        with open(args.out) as f:
            old = f.read()
        if KEEP_MARKER in old:
            kept = old[old.index(KEEP_MARKER):]
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + ("\n" + kept if kept else ""))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    sys.exit(main())
