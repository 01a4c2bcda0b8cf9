#!/usr/bin/env bash
# `pavlov watch` end to end on a briefly trained CartPole run: --record writes
# a GIF with one frame per step (plus the first), no display gives a one-line
# refusal that suggests --record, and under Xvfb the window opens, plays and
# leaves a screenshot of the run's size. `pavlov plot` draws the run's curve.
# usage: watch.sh PAVLOV EXPERIMENT_FILE [WITH_SFML (1|0, default 1)]
# Without SFML the window and PNG parts check the "built without SFML" refusals instead.
set -u
pavlov=$(realpath "$1")
experiment=$(realpath "$2")
with_sfml=${3:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

"$pavlov" run "$experiment" train.total_steps=4096 train.eval_every=4096 train.eval_episodes=2 \
  experiment.out_dir=runs >/dev/null 2>train.log || { cat train.log; fail "training"; }
run=$(ls -d runs/*/)

# `runs` is a folder that holds one run: it stands for that run.
"$pavlov" watch runs --episodes 2 --record out.gif --size 300x200 >rec.log 2>&1 || { cat rec.log; fail "watch --record"; }
cat rec.log
steps=$(awk '/^episode [0-9]+: return .* steps$/ { s += $(NF - 1) } END { print s }' rec.log)
frames=$(sed -n 's/^recorded \([0-9]*\) frames.*/\1/p' rec.log)
[ "$frames" = "$((steps + 2))" ] || fail "expected $((steps + 2)) frames (steps + one first frame per episode), got '$frames'"
[ "$(head -c 6 out.gif)" = "GIF89a" ] || fail "out.gif is not a GIF"

out=$(env -u DISPLAY "$pavlov" watch "$run" 2>&1)
code=$?
[ $code -eq 2 ] || fail "without a display: exit code $code, expected 2"
[ "$(echo "$out" | wc -l)" -eq 1 ] || fail "without a display: expected one line, got: $out"
echo "$out" | grep -q -- "--record" || fail "without a display the message should suggest --record: $out"
echo "no display: $out"

if [ "$with_sfml" != 1 ]; then
  "$pavlov" plot runs --out curve.png 2>plot.err && fail "plot without SFML succeeded"
  grep -q "built without SFML" plot.err || fail "plot without SFML: $(cat plot.err)"
  echo "watch: ok"
  exit 0
fi

if command -v xvfb-run >/dev/null; then
  xvfb-run -a -s "-screen 0 800x600x24" "$pavlov" watch "$run" --episodes 1 --fps 2000 --screenshot shot.png \
    >xvfb.log 2>&1 || { cat xvfb.log; fail "watch under Xvfb"; }
  size=$(python3 -c "import struct; d=open('shot.png','rb').read(24); print('%dx%d' % struct.unpack('>II', d[16:24]))")
  [ "$size" = "600x400" ] || fail "the screenshot is $size, expected 600x400"
  bytes=$(stat -c %s shot.png)
  [ "$bytes" -gt 3000 ] || fail "the screenshot is nearly blank ($bytes bytes)"
  echo "xvfb: screenshot $size, $bytes bytes"
fi
# `pavlov plot` of the run: a PNG of the default size; nothing to plot is an error.
"$pavlov" plot runs --out curve.png || fail "plot"
size=$(python3 -c "import struct; d=open('curve.png','rb').read(24); print('%dx%d' % struct.unpack('>II', d[16:24]))")
[ "$size" = "800x500" ] || fail "the plot is $size, expected 800x500"
mkdir empty
"$pavlov" plot empty 2>plot.err && fail "plot of a folder without runs succeeded"
grep -q "no run folder" plot.err || fail "plot without runs: $(cat plot.err)"
echo "watch: ok"
