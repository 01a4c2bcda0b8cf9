#!/usr/bin/env bash
# Training images/s of experiments/fashion_mnist_cnn.toml in pavlov and of the
# same model, batch, optimizer and augmentation in PyTorch
# (bench/cnn_images.py, with Debian's python3-torch), on the same threads.
# pavlov trains 2 epochs of FRACTION of the training images; its figure is
# the second epoch's images_per_s from metrics.csv (training only: the
# epoch's evaluation is timed apart). PyTorch trains one epoch of as many
# images after 20 warm-up batches. Prints BENCH lines and the ratio (above 1:
# pavlov is faster).
# Run on an idle machine after building: bench/cnn_vs_pytorch.sh [BUILD_DIR] [FRACTION] [THREADS]
set -uo pipefail
pavlov=$(realpath "${1:-build}/pavlov")
fraction=${2:-0.3}
threads=${3:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$pavlov" run "$root/experiments/fashion_mnist_cnn.toml" experiment.out_dir="$work" experiment.threads=$threads \
  task.epochs=2 task.data_fraction=$fraction >/dev/null 2>"$work/log" || { cat "$work/log"; exit 1; }
ours=$(awk -F, 'NR == 3 { printf "%.0f", $3 }' "$work"/*/metrics.csv)
echo "BENCH cnn_pavlov $ours"
images=$(awk -v f="$fraction" 'BEGIN { printf "%d", (60000 - 5000) * f }')  # val_size 5000 held out, as pavlov
theirs=$(/usr/bin/python3 "$root/bench/cnn_images.py" --images "$images" --threads "$threads" | awk '/^BENCH/ { print $3 }')
[ -n "$theirs" ] || { echo "PyTorch did not run: apt-get install python3-torch"; exit 1; }
echo "BENCH cnn_pytorch $theirs"
awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "BENCH cnn_ratio_pavlov_over_pytorch %.2f\n", a / b }'
