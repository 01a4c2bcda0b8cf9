#!/usr/bin/env bash
# The gan task end to end, small: a quick classify run (an MLP, one epoch on a
# tenth of Fashion-MNIST) becomes the judge of a short DCGAN run, which writes
# the judge's figures per epoch and in eval.json (a mean confidence in (0, 1],
# class shares summing to 1) and, with PAVLOV_EXPECT_PNG=1, samples.png; a
# judge that is not a classify run is refused (exit 2, no run folder); a run
# killed (kill -9) after its first epoch and resumed gives the same metrics
# and evaluation as the run that was not.
# usage: gan.sh PAVLOV GAN_EXPERIMENT CLASSIFY_EXPERIMENT
set -u
pavlov=$(realpath "$1"); experiment=$(realpath "$2"); classify=$(realpath "$3")
source "$(dirname "$(realpath "$0")")/kill_resume.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
"$pavlov" run "$classify" task.epochs=1 task.data_fraction=0.1 experiment.out_dir=judge >/dev/null 2>judge.log ||
  { cat judge.log; exit 1; }
judge=$(ls -d judge/*/)
# One math thread: two of them beside another test under ctest -j2 oversubscribe the cores
# (measured: 15 s alone, 217 s beside the VAE test).
short=(experiment.threads=1 task.epochs=2 task.data_fraction=0.05 net.width=16 task.judge_samples=1000 "task.judge=$work/$judge" experiment.seed=3)
"$pavlov" run "$experiment" "${short[@]}" experiment.out_dir=a >/dev/null 2>a.log || { cat a.log; exit 1; }
a=$(ls -d a/*/)
if [ "${PAVLOV_EXPECT_PNG:-0}" = 1 ]; then [ -s "$a/samples.png" ] || { echo "no samples.png"; exit 1; }; fi
python3 - "$a/eval.json" "$a/metrics.csv" <<'PY' || exit 1
import csv, json, sys
e = json.load(open(sys.argv[1]))
shares = e["judge_class_shares"]
assert 0 < e["judge_confidence"] <= 1, e
assert len(shares) == 10 and abs(sum(shares) - 1) < 1e-6, shares
rows = list(csv.DictReader(open(sys.argv[2])))
assert [r["epoch"] for r in rows] == ["1", "2"], rows
assert all(0 < float(r["judge_confidence"]) <= 1 for r in rows), rows
PY
# A judge that is not a classify run: refused before any run folder.
out=$("$pavlov" run "$experiment" "${short[@]}" "task.judge=$work/$a" experiment.out_dir=c 2>&1); rc=$?
[ "$rc" -eq 2 ] && grep -q "is a gan run" <<<"$out" && [ ! -e c ] || { echo "FAIL: a gan run as judge: rc $rc: $out"; exit 1; }

kill_resume "$a" step-1.ckpt 1,4- "$experiment" "${short[@]}" || exit 1
b=$RESUMED
diff <(grep -v '"time"' "$a/eval.json") <(grep -v '"time"' "$b/eval.json") || { echo "FAIL: eval.json differs"; exit 1; }
echo "gan: ok (judge confidence $(grep judge_confidence "$a/eval.json" | sed 's/[^0-9.]//g'); killed after epoch 1, resumed, same metrics)"
