#!/usr/bin/env bash
# The detect task end to end, small: a detector trained on 2,000 scenes for
# 4 epochs finds the shapes of held-out scenes with test mAP@0.5 >= MIN (0.26
# on the CI machine; an untrained detector scores ~0),
# writes eval.json (and, with PAVLOV_EXPECT_PNG=1, detections.png); a run
# killed (kill -9) after its first epoch and resumed gives the same metrics
# and evaluation as the run that was not.
# usage: detect.sh PAVLOV EXPERIMENT_FILE MIN_MAP [overrides...]
set -u
pavlov=$(realpath "$1"); experiment=$(realpath "$2"); min=$3; shift 3
source "$(dirname "$(realpath "$0")")/kill_resume.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
short=(task.epochs=4 task.scenes=2000 task.val_size=100 task.test_size=200 experiment.seed=2 "$@")
"$pavlov" run "$experiment" "${short[@]}" experiment.out_dir=a >/dev/null 2>a.log || { cat a.log; exit 1; }
a=$(ls -d a/*/)
if [ "${PAVLOV_EXPECT_PNG:-0}" = 1 ]; then [ -s "$a/detections.png" ] || { echo "no detections.png"; exit 1; }; fi
map=$(sed -n 's/.*"test_map50": \([0-9.]*\).*/\1/p' "$a/eval.json")
awk -v m="$map" -v t="$min" 'BEGIN { exit !(m >= t) }' || { cat "$a/eval.json"; echo "FAIL: test mAP@0.5 $map < $min"; exit 1; }
# Segmentation's network on the detection task: refused before any run folder.
out=$("$pavlov" run "$experiment" net.type=unet experiment.out_dir=c 2>&1); rc=$?
[ "$rc" -eq 2 ] && grep -q "needs \[net\] type = \"grid_detector\"" <<<"$out" && [ ! -e c ] ||
  { echo "FAIL: detect with a unet: rc $rc: $out"; exit 1; }

kill_resume "$a" step-1.ckpt 1,4- "$experiment" "${short[@]}" || exit 1
b=$RESUMED
diff <(grep -v '"time"' "$a/eval.json") <(grep -v '"time"' "$b/eval.json") || { echo "FAIL: eval.json differs"; exit 1; }
echo "detect: ok (test mAP@0.5 $map >= $min; killed after epoch 1, resumed, same metrics)"
