#!/usr/bin/env bash
# The vae task end to end on a fifth of Fashion-MNIST: a run learns (test
# negative ELBO <= MAX nats per image, the importance-weighted -log p(x) below
# it), writes eval.json (and, with PAVLOV_EXPECT_PNG=1, samples.png and
# interpolations.png); a run killed (kill -9) after its first epoch and resumed
# gives the same metrics and evaluation as the run that was not.
# usage: vae.sh PAVLOV EXPERIMENT_FILE MAX_TEST_NELBO [overrides...]
set -u
pavlov=$(realpath "$1"); experiment=$(realpath "$2"); max=$3; shift 3
source "$(dirname "$(realpath "$0")")/kill_resume.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
short=(task.epochs=3 task.data_fraction=0.2 task.iw_samples=20 experiment.seed=3 "$@")
"$pavlov" run "$experiment" "${short[@]}" experiment.out_dir=a >/dev/null 2>a.log || { cat a.log; exit 1; }
a=$(ls -d a/*/)
if [ "${PAVLOV_EXPECT_PNG:-0}" = 1 ]; then
  for f in samples.png interpolations.png; do [ -s "$a/$f" ] || { echo "no $f"; exit 1; }; done
fi
value() { grep "\"$1\"" "$a/eval.json" | sed 's/[^0-9.]//g'; }
nelbo=$(value test_nelbo); iw=$(value test_nll_iw)
awk -v n="$nelbo" -v m="$max" 'BEGIN { exit !(n <= m) }' || { cat "$a/eval.json"; echo "FAIL: test -ELBO $nelbo > $max"; exit 1; }
awk -v n="$nelbo" -v w="$iw" 'BEGIN { exit !(w < n) }' || { cat "$a/eval.json"; echo "FAIL: the IW estimate $iw is not below the -ELBO $nelbo"; exit 1; }

kill_resume "$a" step-1.ckpt 1,4- "$experiment" "${short[@]}" || exit 1
b=$RESUMED
diff <(grep -v '"time"' "$a/eval.json") <(grep -v '"time"' "$b/eval.json") || { echo "FAIL: eval.json differs"; exit 1; }
echo "vae: ok (test -ELBO $nelbo <= $max nats, IW -log p(x) $iw; killed after epoch 1, resumed, same metrics)"
