#!/usr/bin/env bash
# The segment task end to end, small: a U-Net trained on 2,000 scenes of
# 32x32 for 4 epochs at a constant learning rate labels the pixels of held-out
# scenes with test mean IoU >= MIN (0.29 on the CI machine; a network that
# calls every pixel background scores 0.18 with the five classes), and writes
# eval.json (and, with PAVLOV_EXPECT_PNG=1, segmentation.png); a run killed (kill -9) after its first epoch and resumed
# gives the same metrics and evaluation as the run that was not.
# usage: segment.sh PAVLOV EXPERIMENT_FILE MIN_MIOU [overrides...]
set -u
pavlov=$(realpath "$1"); experiment=$(realpath "$2"); min=$3; shift 3
source "$(dirname "$(realpath "$0")")/kill_resume.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
short=(task.epochs=4 task.scenes=2000 task.val_size=100 task.test_size=200 task.image_size=32 experiment.seed=2
       experiment.threads=1 optimizer.schedule=constant "$@")
"$pavlov" run "$experiment" "${short[@]}" experiment.out_dir=a >/dev/null 2>a.log || { cat a.log; exit 1; }
a=$(ls -d a/*/)
if [ "${PAVLOV_EXPECT_PNG:-0}" = 1 ]; then [ -s "$a/segmentation.png" ] || { echo "no segmentation.png"; exit 1; }; fi
miou=$(sed -n 's/.*"test_miou": \([0-9.]*\).*/\1/p' "$a/eval.json")
awk -v m="$miou" -v t="$min" 'BEGIN { exit !(m >= t) }' || { cat "$a/eval.json"; echo "FAIL: test mIoU $miou < $min"; exit 1; }

kill_resume "$a" step-1.ckpt 1,4- "$experiment" "${short[@]}" || exit 1
b=$RESUMED
diff <(grep -v '"time"' "$a/eval.json") <(grep -v '"time"' "$b/eval.json") || { echo "FAIL: eval.json differs"; exit 1; }
echo "segment: ok (test mIoU $miou >= $min; killed after epoch 1, resumed, same metrics)"
