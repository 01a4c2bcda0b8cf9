#!/usr/bin/env bash
# kill -9 during a run, `pavlov resume`, and the metrics must equal those of
# an uninterrupted run with the same seed (all columns but wall_time and sps),
# as must the final evaluation. Then the same with Ctrl-C (SIGINT), which
# must write a checkpoint and exit with 130.
# usage: resume.sh PAVLOV EXPERIMENT_FILE [OVERRIDES...]  (overrides after the short-run ones)
set -u
pavlov=$(realpath "$1")
experiment=$(realpath "$2")
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
short=(train.total_steps=8000 train.checkpoint_every=1000 train.log_every=500 train.eval_every=4000
       train.eval_episodes=3 replay.learning_starts=500 experiment.seed=7 "$@")

"$pavlov" run "$experiment" "${short[@]}" experiment.out_dir=a >/dev/null 2>a.log || { cat a.log; exit 1; }
a=$(ls -d a/*/)

"$pavlov" run "$experiment" "${short[@]}" experiment.out_dir=b >/dev/null 2>b.log &
pid=$!
for _ in $(seq 1 600); do  # wait for the first checkpoint, then kill without warning
  ls b/*/checkpoints/latest >/dev/null 2>&1 && break
  sleep 0.05
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
b=$(ls -d b/*/)
[ -f "$b/eval.json" ] && { echo "the run finished before it could be killed; nothing was tested"; exit 1; }
echo "killed after $(cat "$b"/checkpoints/latest)"
"$pavlov" resume "$b" >/dev/null 2>resume.log || { cat resume.log; exit 1; }

if grep -qiE '(^|,)-?(inf|nan)(,|$)' "$a/metrics.csv"; then  # a loss that overflowed is a bug even if it repeats
  echo "FAIL: metrics.csv holds inf or nan"; grep -iE '(^|,)-?(inf|nan)(,|$)' "$a/metrics.csv" | head -3; exit 1
fi
strip() { cut -d, -f1,4- "$1"; }  # drop wall_time and sps
if ! diff <(strip "$a/metrics.csv") <(strip "$b/metrics.csv"); then
  echo "FAIL: the resumed run's metrics differ from the uninterrupted run's"
  exit 1
fi
fa=$(grep -A5 '"final"' "$a/eval.json" | grep '"mean"')
fb=$(grep -A5 '"final"' "$b/eval.json" | grep '"mean"')
[ "$fa" = "$fb" ] || { echo "FAIL: final evaluations differ: $fa vs $fb"; exit 1; }
echo "resume after kill -9: $(($(wc -l < "$a/metrics.csv") - 1)) metrics rows equal, final evaluation equal ($fa)"

"$pavlov" run "$experiment" "${short[@]}" experiment.out_dir=c >/dev/null 2>c.log &
pid=$!
for _ in $(seq 1 600); do
  ls c/*/checkpoints/latest >/dev/null 2>&1 && break
  sleep 0.05
done
kill -INT "$pid"
wait "$pid"
rc=$?
c=$(ls -d c/*/)
[ "$rc" -eq 130 ] || { echo "FAIL: Ctrl-C gave exit code $rc, expected 130"; cat c.log; exit 1; }
grep -q "checkpoint written" c.log || { echo "FAIL: Ctrl-C did not report its checkpoint"; cat c.log; exit 1; }
stopped=$(cat "$c"/checkpoints/latest)
"$pavlov" resume "$c" >/dev/null 2>resume_c.log || { cat resume_c.log; exit 1; }
diff <(strip "$a/metrics.csv") <(strip "$c/metrics.csv") >/dev/null || { echo "FAIL: metrics differ after Ctrl-C and resume"; exit 1; }
echo "resume after Ctrl-C (exit 130, checkpoint $stopped): metrics equal"
