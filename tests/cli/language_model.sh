#!/usr/bin/env bash
# The language_model task end to end, small: a run learns (validation loss
# below MAX nats/char), writes eval.json with the bigram baseline; a run
# killed (kill -9) after its first checkpoint and resumed gives the same
# metrics (all columns but wall_time and tokens_per_s); a BPE run keeps its
# merges in tokenizer.bpe; `pavlov sample`
# prints the prompt and N more characters, the same for the same seed.
# usage: language_model.sh PAVLOV EXPERIMENT_FILE MAX_VAL_LOSS [overrides...]
set -u
pavlov=$(realpath "$1"); experiment=$(realpath "$2"); max=$3; shift 3
source "$(dirname "$(realpath "$0")")/kill_resume.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
short=(experiment.threads=1 task.steps=300 task.eval_every=100 task.eval_tokens=20000 task.context=32 task.batch_size=16
       net.dim=32 net.layers=1)
grep -q '^type = "gpt"' "$experiment" && short+=(net.heads=2)
short+=("$@")
"$pavlov" run "$experiment" "${short[@]}" experiment.out_dir=a >/dev/null 2>a.log || { cat a.log; exit 1; }
a=$(ls -d a/*/)
val=$(grep '"val_loss"' "$a/eval.json" | sed 's/[^0-9.]//g')
grep -q '"bigram_val_loss"' "$a/eval.json" || { cat "$a/eval.json"; echo "FAIL: no bigram baseline"; exit 1; }
awk -v v="$val" -v m="$max" 'BEGIN { exit !(v <= m) }' || { cat "$a/eval.json"; echo "FAIL: val loss $val > $max"; exit 1; }
if grep -q '"tokenizer": "bpe"' "$a/eval.json"; then  # the run keeps its merges
  merges=$(( $(grep '"vocab"' "$a/eval.json" | sed 's/[^0-9]//g') - 256 ))
  head -1 "$a/tokenizer.bpe" | grep -qx "pavlov-bpe $merges" || { echo "FAIL: tokenizer.bpe does not hold $merges merges"; exit 1; }
fi

kill_resume "$a" step-100.ckpt 1,4- "$experiment" "${short[@]}" || exit 1

s1=$("$pavlov" sample "$a" --prompt "Q: " --tokens 40 --temperature 0.8 --top-k 10 --seed 4) || exit 1
s2=$("$pavlov" sample "$a" --prompt "Q: " --tokens 40 --temperature 0.8 --top-k 10 --seed 4) || exit 1
[ "$s1" = "$s2" ] || { echo "FAIL: the same seed sampled different text"; exit 1; }
[ "${s1:0:3}" = "Q: " ] || { echo "FAIL: the sample does not start with the prompt: $s1"; exit 1; }
[ "$(printf %s "$s1" | wc -c)" -ge 40 ] || { echo "FAIL: the sample is too short: $s1"; exit 1; }
"$pavlov" sample "$a" --tokens 0 >/dev/null 2>&1 && { echo "FAIL: --tokens 0 was accepted"; exit 1; }
echo "language model: ok (val loss $val <= $max; killed, resumed, same metrics; sample: $(printf %s "$s1" | head -1))"
