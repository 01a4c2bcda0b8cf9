#!/usr/bin/env bash
# Training images/s of experiments/fashion_mnist_NET.toml (NET: cnn or resnet)
# in pavlov and of the same model, batch, optimizer and augmentation in
# PyTorch (bench/cnn_images.py --net NET, with Debian's python3-torch), on the
# same threads.
# pavlov trains 2 epochs of FRACTION of the training images; its figure is
# the second epoch's images_per_s from metrics.csv (training only: the
# epoch's evaluation is timed apart). PyTorch trains one epoch of as many
# images after 20 warm-up batches. The two alternate REPEAT times; each
# figure is the median (single runs vary by +-15 % on the 2-core VM). Prints
# BENCH lines and the ratio (above 1: pavlov is faster).
# Run on an idle machine after building:
#   bench/cnn_vs_pytorch.sh [BUILD_DIR] [FRACTION] [THREADS] [REPEAT] [NET]
set -uo pipefail
pavlov=$(realpath "${1:-build}/pavlov")
fraction=${2:-0.3}
threads=${3:-2}
repeat=${4:-3}
net=${5:-cnn}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
images=$(awk -v f="$fraction" 'BEGIN { printf "%d", (60000 - 5000) * f }')  # val_size 5000 held out, as pavlov
for r in $(seq "$repeat"); do
  "$pavlov" run "$root/experiments/fashion_mnist_$net.toml" experiment.out_dir="$work/$r" experiment.threads=$threads \
    task.epochs=2 task.data_fraction=$fraction >/dev/null 2>"$work/log" || { cat "$work/log"; exit 1; }
  awk -F, 'NR == 3 { printf "%.0f\n", $3 }' "$work/$r"/*/metrics.csv >>"$work/ours"
  /usr/bin/python3 "$root/bench/cnn_images.py" --net "$net" --images "$images" --threads "$threads" | awk '/^BENCH/ { print $3 }' >>"$work/theirs"
done
[ -s "$work/theirs" ] || { echo "PyTorch did not run: apt-get install python3-torch"; exit 1; }
ours=$(median <"$work/ours"); theirs=$(median <"$work/theirs")
echo "runs: pavlov $(tr '\n' ' ' <"$work/ours")/ PyTorch $(tr '\n' ' ' <"$work/theirs")"
echo "BENCH ${net}_pavlov $ours"
echo "BENCH ${net}_pytorch $theirs"
awk -v a="$ours" -v b="$theirs" -v n="$net" 'BEGIN { printf "BENCH %s_ratio_pavlov_over_pytorch %.2f\n", n, a / b }'
