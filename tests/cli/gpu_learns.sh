#!/usr/bin/env bash
# learns.sh with the networks on CUDA (experiment.device = "cuda"); exits 77
# (CTest: skipped) when pavlov's LibTorch sees no CUDA device.
# usage: gpu_learns.sh PAVLOV EXPERIMENT_FILE final|best MIN_MEAN [overrides...]
set -u
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
probe=$("$1" run "$2" experiment.device=cuda train.total_steps=1 experiment.out_dir="$probe_dir" 2>&1)
if grep -q "no CUDA device" <<<"$probe"; then
  echo "skipped: LibTorch sees no CUDA device"
  exit 77
fi
"$(dirname "$0")/learns.sh" "$@" experiment.device=cuda
