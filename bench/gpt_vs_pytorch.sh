#!/usr/bin/env bash
# Training tokens/s of experiments/fortunes_gpt.toml's GPT in pavlov and of
# the same model, batch and optimizer in PyTorch (bench/gpt_tokens.py, with
# Debian's python3-torch: apt-get install python3-torch), on the same threads.
# pavlov's figure is its metrics row's tokens_per_s over all STEPS (the first
# steps and one validation pass of 4 kB included); PyTorch's skips 5 warm-up
# steps. Prints BENCH lines and the ratio (above 1: pavlov is faster).
# Run on an idle machine after building: bench/gpt_vs_pytorch.sh [BUILD_DIR] [STEPS] [THREADS]
set -uo pipefail
pavlov=$(realpath "${1:-build}/pavlov")
steps=${2:-60}
threads=${3:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$pavlov" run "$root/experiments/fortunes_gpt.toml" experiment.out_dir="$work" experiment.threads=$threads \
  task.steps=$steps task.eval_every=$steps task.eval_tokens=4096 >/dev/null 2>"$work/log" || { cat "$work/log"; exit 1; }
ours=$(tail -1 "$work"/*/metrics.csv | cut -d, -f3 | awk '{ printf "%.0f", $1 }')
echo "BENCH gpt_pavlov $ours"
theirs=$(/usr/bin/python3 "$root/bench/gpt_tokens.py" --steps "$steps" --threads "$threads" | awk '/^BENCH/ { print $3 }')
[ -n "$theirs" ] || { echo "PyTorch did not run: apt-get install python3-torch"; exit 1; }
echo "BENCH gpt_pytorch $theirs"
awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "BENCH gpt_ratio_pavlov_over_pytorch %.2f\n", a / b }'
