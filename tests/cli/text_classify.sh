#!/usr/bin/env bash
# The text_classify task end to end, small: masked-token pretraining then
# fine-tuning write eval.json with the Transformer's and the bag-of-words
# baseline's test accuracy (the baseline above MIN_BOW: it really learns); a
# run killed (kill -9) after its first checkpoint and resumed gives the same
# metrics (all columns but wall_time); a category that is no fortune file is
# refused, naming it, before any run folder.
# usage: text_classify.sh PAVLOV EXPERIMENT_FILE MIN_BOW [overrides...]
set -u
pavlov=$(realpath "$1"); experiment=$(realpath "$2"); min=$3; shift 3
source "$(dirname "$(realpath "$0")")/kill_resume.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
short=(experiment.threads=1 task.vocab_size=300 task.context=32 task.batch_size=16 task.pretrain_steps=20 task.steps=20
       task.eval_every=10 net.dim=32 net.layers=1 net.heads=2 "$@")
"$pavlov" run "$experiment" "${short[@]}" experiment.out_dir=a >/dev/null 2>a.log || { cat a.log; exit 1; }
a=$(ls -d a/*/)
bow=$(grep '"bow_test_accuracy"' "$a/eval.json" | sed 's/.*: //; s/,//')
grep -q '"test_accuracy"' "$a/eval.json" || { cat "$a/eval.json"; echo "FAIL: no test accuracy"; exit 1; }
awk -v b="$bow" -v m="$min" 'BEGIN { exit !(b >= m) }' || { cat "$a/eval.json"; echo "FAIL: baseline $bow < $min"; exit 1; }

kill_resume "$a" step-10.ckpt 1,3- "$experiment" "${short[@]}" || exit 1

"$pavlov" run "$experiment" "${short[@]}" 'task.categories=["computers","no-such-file"]' experiment.out_dir=c \
  >/dev/null 2>c.log && { echo "FAIL: an unknown category was accepted"; exit 1; }
grep -q "no fortune file 'no-such-file'" c.log || { cat c.log; echo "FAIL: the error does not name the category"; exit 1; }
[ -e c ] && [ -n "$(ls c)" ] && { echo "FAIL: a refused run left a folder"; exit 1; }
echo "text classify: ok (bag-of-words baseline $bow >= $min; killed, resumed, same metrics; bad category refused)"
