#!/usr/bin/env bash
# `pavlov run --watch` under Xvfb: the live view shows frames while training,
# and the run's metrics and evaluation are exactly those of the same run
# without the view (the view acts greedily and never trains the agent).
# Also [render] record_every: videos land in the run folder, complete.
# usage: live_view.sh PAVLOV EXPERIMENT_FILE [OVERRIDES...]
set -u
pavlov=$(realpath "$1")
experiment=$(realpath "$2")
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
common=(experiment.seed=3 "$@")

"$pavlov" run "$experiment" "${common[@]}" experiment.out_dir=plain >/dev/null 2>plain.log || { cat plain.log; fail "plain run"; }
xvfb-run -a -s "-screen 0 800x600x24" "$pavlov" run "$experiment" --watch "${common[@]}" render.record_every=2048 \
  render.record_format=gif experiment.out_dir=watched >/dev/null 2>watched.log || { cat watched.log; fail "run --watch"; }
grep "live view" watched.log
frames=$(sed -n 's/.*the live view showed \([0-9]*\) frames.*/\1/p' watched.log)
[ -n "$frames" ] && [ "$frames" -gt 5 ] || fail "the live view showed '${frames}' frames"
a=$(ls -d plain/*/) b=$(ls -d watched/*/)
strip() { cut -d, -f1,4- "$1"; }  # drop wall_time and sps
diff <(strip "$a/metrics.csv") <(strip "$b/metrics.csv") >/dev/null || fail "metrics differ with the live view"
diff <(grep -v '"time"' "$a/eval.json") <(grep -v '"time"' "$b/eval.json") || fail "evaluations differ with the live view"
ls "$b/videos"
[ "$(ls "$b"/videos/*.gif | wc -l)" -ge 2 ] || fail "expected a video every 2048 steps"
ls "$b"/videos/*.part.* >/dev/null 2>&1 && fail "a half-written video was left"
[ "$(head -c 6 "$(ls "$b"/videos/*.gif | head -1)")" = "GIF89a" ] || fail "the video is not a GIF"
echo "live view: ok"
