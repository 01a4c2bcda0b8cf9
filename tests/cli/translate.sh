#!/usr/bin/env bash
# The translate task end to end, small: a run learns (test-set BLEU of greedy
# decoding at least MIN_BLEU), writes eval.json with the test and long-test
# rows; a run killed (kill -9) after its first checkpoint and resumed gives
# the same metrics (all columns but wall_time and pairs_per_s); `pavlov
# sample` translates a sentence (the same text twice) and names a word the
# source language lacks.
# usage: translate.sh PAVLOV EXPERIMENT_FILE MIN_BLEU [overrides...]
set -u
pavlov=$(realpath "$1"); experiment=$(realpath "$2"); min=$3; shift 3
source "$(dirname "$(realpath "$0")")/kill_resume.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
short=(experiment.threads=1 task.pairs=4000 task.max_length=8 task.long_length=10 task.val_size=100 task.test_size=100
       task.steps=1200 task.eval_every=400 task.batch_size=32 net.dim=64 net.layers=1 net.heads=2 optimizer.lr=3e-3 "$@")
"$pavlov" run "$experiment" "${short[@]}" experiment.out_dir=a >/dev/null 2>a.log || { cat a.log; exit 1; }
a=$(ls -d a/*/)
grep -q '"long_test"' "$a/eval.json" || { cat "$a/eval.json"; echo "FAIL: no long-test row"; exit 1; }
bleu=$(grep '"test"' "$a/eval.json" | sed 's/.*"greedy_bleu": \([0-9.e+-]*\).*/\1/')
awk -v b="$bleu" -v m="$min" 'BEGIN { exit !(b >= m) }' || { cat "$a/eval.json"; echo "FAIL: test BLEU $bleu < $min"; exit 1; }

kill_resume "$a" step-400.ckpt 1,4- "$experiment" "${short[@]}" || exit 1

# A sentence of the language: the first example the run printed.
sentence=$(grep -m1 '^  [a-z]' a.log | sed 's/^  //')
[ -n "$sentence" ] || { cat a.log; echo "FAIL: the run printed no example"; exit 1; }
t1=$("$pavlov" sample "$a" --prompt "$sentence") || exit 1
t2=$("$pavlov" sample "$a" --prompt "$sentence") || exit 1
[ -n "$t1" ] && [ "$t1" = "$t2" ] || { echo "FAIL: translations '$t1' and '$t2'"; exit 1; }
"$pavlov" sample "$a" --prompt "the zzz" >out.txt 2>err.txt && { echo "FAIL: an unknown word was accepted"; exit 1; }
grep -q "'zzz' is not a word of the source language" err.txt || { cat err.txt; echo "FAIL: the error does not name the word"; exit 1; }
echo "translate: ok (test BLEU $bleu >= $min; killed, resumed, same metrics; '$sentence' -> '$t1')"
