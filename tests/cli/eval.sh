#!/usr/bin/env bash
# `pavlov eval` on a briefly trained CartPole run: with the run's own episode
# count it reproduces the final evaluation of eval.json exactly; --seed draws
# other episodes (the same ones for the same seed); --best reads best.ckpt;
# a malformed or out-of-range number is a usage error (exit 2) that names the option.
# usage: eval.sh PAVLOV EXPERIMENT_FILE
set -u
pavlov=$(realpath "$1")
experiment=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

"$pavlov" run "$experiment" train.total_steps=4096 train.eval_every=2048 train.eval_episodes=5 \
  experiment.out_dir=runs >/dev/null 2>train.log || { cat train.log; fail "training"; }
source "$(dirname "$0")/eval_mean.sh"
final=$(eval_mean runs/*/eval.json final)
best=$(eval_mean runs/*/eval.json best)
mean() { sed -n 's/^episodes [0-9]*  mean \([^ ]*\) .*/\1/p'; }

again=$("$pavlov" eval runs --episodes 5 | mean)
awk -v a="$again" -v f="$final" 'BEGIN { exit !(a != "" && a + 0 == f + 0) }' || fail "eval gives $again, the run's final evaluation $final"
with_best=$("$pavlov" eval runs --episodes 5 --best | mean)
awk -v a="$with_best" -v b="$best" 'BEGIN { exit !(a != "" && a + 0 == b + 0) }' || fail "eval --best gives $with_best, the run's best $best"

s1=$("$pavlov" eval runs --episodes 20 --seed 11 | mean)
s1_again=$("$pavlov" eval runs --episodes 20 --seed 11 | mean)
s2=$("$pavlov" eval runs --episodes 20 --seed 12 | mean)
[ -n "$s1" ] && [ "$s1" = "$s1_again" ] || fail "--seed 11 gave '$s1' then '$s1_again'"
[ "$s1" != "$s2" ] || fail "--seed 11 and --seed 12 gave the same mean $s1 (the same episodes?)"

"$pavlov" eval runs --seed abc >out.log 2>&1
rc=$?
[ $rc -eq 2 ] || fail "--seed abc exited with $rc, not 2"
grep -q -- "pavlov eval: --seed expects a seed (a whole number >= 0), got 'abc'" out.log || { cat out.log; fail "--seed abc message"; }
"$pavlov" eval runs --episodes 0 >out.log 2>&1
rc=$?
[ $rc -eq 2 ] || fail "--episodes 0 exited with $rc, not 2"
grep -q -- "--episodes expects a whole number from 1 to 2147483647, got '0'" out.log || { cat out.log; fail "--episodes 0 message"; }
"$pavlov" eval runs --episodes 99999999999 >out.log 2>&1
rc=$?
[ $rc -eq 2 ] || fail "--episodes 99999999999 exited with $rc, not 2 (wrapped into an int?)"
echo "final $final, best $best, --seed 11: $s1, --seed 12: $s2"
echo "eval: ok"
