#!/usr/bin/env bash
# The classify task end to end on a fifth of Fashion-MNIST: a run learns (test
# accuracy >= MIN), writes eval.json and confusion.csv; a run killed (kill -9)
# after its first epoch and resumed gives the same metrics as the run that was
# not (all columns but wall_time and images_per_s) and the same test accuracy.
# With PAVLOV_EXPECT_PNG=1 the run must also have drawn confusion.png, and
# `pavlov explain` draws saliency maps of test images.
# usage: classify.sh PAVLOV EXPERIMENT_FILE MIN_TEST_ACCURACY [overrides...]
set -u
pavlov=$(realpath "$1"); experiment=$(realpath "$2"); min=$3; shift 3
source "$(dirname "$(realpath "$0")")/kill_resume.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
short=(task.epochs=3 task.data_fraction=0.2 experiment.seed=3 "$@")
"$pavlov" run "$experiment" "${short[@]}" experiment.out_dir=a >/dev/null 2>a.log || { cat a.log; exit 1; }
a=$(ls -d a/*/)
[ -s "$a/confusion.csv" ] || { echo "no confusion.csv"; exit 1; }
# PNGs are written where the build has SFML (PAVLOV_EXPECT_PNG=1).
[ "${PAVLOV_EXPECT_PNG:-0}" != 1 ] || [ -s "$a/confusion.png" ] || { echo "no confusion.png"; exit 1; }
acc=$(grep '"test_accuracy"' "$a/eval.json" | sed 's/[^0-9.]//g')
awk -v a="$acc" -v m="$min" 'BEGIN { exit !(a >= m) }' || { cat "$a/eval.json"; echo "FAIL: test accuracy $acc < $min"; exit 1; }

# Saliency maps of the trained classifier (where PNGs can be written), and a clear error for a
# test image that does not exist.
if [ "${PAVLOV_EXPECT_PNG:-0}" = 1 ]; then
  "$pavlov" explain "$a" --input test:0,1,2 >explain.log 2>&1 || { cat explain.log; echo "FAIL: explain"; exit 1; }
  [ -s "$a/explain.png" ] || { echo "no explain.png"; exit 1; }
  "$pavlov" explain "$a" --input test:10000 >/dev/null 2>explain.err; rc=$?
  [ $rc -eq 2 ] && grep -q "test image 10000 does not exist" explain.err || { cat explain.err; echo "FAIL: explain of a missing test image (exit $rc)"; exit 1; }
fi

kill_resume "$a" step-1.ckpt 1,4- "$experiment" "${short[@]}" || exit 1
b=$RESUMED
diff <(grep -v '"time"' "$a/eval.json") <(grep -v '"time"' "$b/eval.json") || { echo "FAIL: eval.json differs"; exit 1; }
echo "classify: ok (test accuracy $acc >= $min; killed after epoch 1, resumed, same metrics)"
