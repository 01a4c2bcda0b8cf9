#!/usr/bin/env bash
# An async run stopped with Ctrl-C (SIGINT) exits 130 with a checkpoint, and
# `pavlov resume` finishes it: eval.json, and metrics up to the budget.
# usage: async_interrupt.sh PAVLOV EXPERIMENT [overrides...]
set -u
pavlov=$(realpath "$1"); experiment=$(realpath "$2"); shift 2
work=$(mktemp -d)
pid=""
trap 'kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1
"$pavlov" run "$experiment" experiment.out_dir=runs runtime.mode=async "$@" >run.log 2>&1 &
pid=$!
for _ in $(seq 300); do
  [ "$(cat runs/*/metrics.csv 2>/dev/null | wc -l)" -ge 3 ] && break
  sleep 0.05
done
kill -INT $pid
wait $pid; rc=$?
pid=""
[ $rc -eq 130 ] || { echo "FAIL: exit code $rc after SIGINT, expected 130"; cat run.log; exit 1; }
ls runs/*/checkpoints/step-*.ckpt >/dev/null 2>&1 || { echo "FAIL: no checkpoint"; exit 1; }
[ -f runs/*/eval.json ] && { echo "FAIL: an interrupted run wrote eval.json"; exit 1; }
"$pavlov" resume runs/* >resume.log 2>&1 || { echo "FAIL: resume"; cat resume.log; exit 1; }
[ -f runs/*/eval.json ] || { echo "FAIL: no eval.json after resume"; exit 1; }
echo "async interrupt and resume: ok"
