#!/usr/bin/env bash
# Training tokens/s of experiments/fortunes_gpt.toml's GPT in pavlov and of
# the same model, batch and optimizer in PyTorch (bench/gpt_tokens.py, with
# Debian's python3-torch: apt-get install python3-torch), on the same threads.
# Both figures skip warm-up steps: pavlov runs 2 x STEPS and its figure comes
# from its two metrics rows (steps and wall_time at STEPS and at 2 x STEPS;
# a row's validation pass reads one 128-byte window and is followed by a
# checkpoint, one of them inside the measured span); PyTorch's skips 5 steps
# on its own clock. Prints BENCH lines and the ratio (above 1: pavlov is faster).
# Run on an idle machine after building: bench/gpt_vs_pytorch.sh [BUILD_DIR] [STEPS] [THREADS]
set -uo pipefail
pavlov=$(realpath "${1:-build}/pavlov")
steps=${2:-60}
threads=${3:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
warm=$steps
"$pavlov" run "$root/experiments/fortunes_gpt.toml" experiment.out_dir="$work" experiment.threads=$threads \
  task.steps=$((steps + warm)) task.eval_every=$warm task.eval_tokens=200 >/dev/null 2>"$work/log" || { cat "$work/log"; exit 1; }
# tokens per step: batch_size x context of the file
tokens=$(awk -F' = ' '/^batch_size/ { b = $2 } /^context/ { c = $2 } END { print b * c }' "$root/experiments/fortunes_gpt.toml")
ours=$(awk -F, -v w=$warm -v k="$tokens" 'NR == 1 { next } $1 == w { s0 = $1; t0 = $2 } { s1 = $1; t1 = $2 }
                                         END { printf "%.0f", (s1 - s0) * k / (t1 - t0) }' "$work"/*/metrics.csv)
echo "BENCH gpt_pavlov $ours"
theirs=$(/usr/bin/python3 "$root/bench/gpt_tokens.py" --steps "$steps" --threads "$threads" | awk '/^BENCH/ { print $3 }')
[ -n "$theirs" ] || { echo "PyTorch did not run: apt-get install python3-torch"; exit 1; }
echo "BENCH gpt_pytorch $theirs"
awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "BENCH gpt_ratio_pavlov_over_pytorch %.2f\n", a / b }'
