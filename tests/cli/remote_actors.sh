#!/usr/bin/env bash
# Remote actors on loopback: a learner listens, an actor process joins and is
# killed with -9 mid-run, another joins (and keeps retrying once the learner
# is gone), an actor with a wrong token is refused. Checks that the learner finishes, that remote experience reached it
# (metrics.csv remote_steps grows after the restart) and what each side logged.
# usage: remote_actors.sh PAVLOV EXPERIMENT [overrides...]
set -u
pavlov=$(realpath "$1"); experiment=$(realpath "$2"); shift 2
work=$(mktemp -d)
learner_pid=""; actor_pid=""
trap 'kill -9 $learner_pid $actor_pid 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1
fail() { echo "FAIL: $*"; echo "--- learner:"; cat learner.log; echo "--- actors:"; cat actor*.log 2>/dev/null; exit 1; }
export PAVLOV_TOKEN=loopback-secret
"$pavlov" run "$experiment" experiment.out_dir=runs runtime.mode=async runtime.listen=127.0.0.1:0 \
  runtime.remote_envs=2 runtime.heartbeat_timeout=2 "$@" >learner.out 2>learner.log &
learner_pid=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/^listening for remote actors on 127.0.0.1:\([0-9]*\)$/\1/p' learner.log)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "the learner did not say where it listens"

PAVLOV_TOKEN=wrong "$pavlov" actor "$experiment" --connect 127.0.0.1:$port >actor_wrong.log 2>&1
rc=$?
[ $rc -eq 1 ] || fail "an actor with a wrong token exited $rc, expected 1"
grep -q "refused this actor: wrong token" actor_wrong.log || fail "the refused actor did not say why"

"$pavlov" actor "$experiment" --connect 127.0.0.1:$port "$@" >actor1.log 2>&1 &
actor_pid=$!
sleep 3
kill -9 $actor_pid; wait $actor_pid 2>/dev/null
at_kill=$(tail -1 runs/*/metrics.csv | awk -F, -v c="$(head -1 runs/*/metrics.csv | tr ',' '\n' | grep -n '^remote_steps$' | cut -d: -f1)" '{print $c}')
"$pavlov" actor "$experiment" --connect 127.0.0.1:$port "$@" >actor2.log 2>&1 &
actor_pid=$!
wait $learner_pid || fail "the learner failed"
learner_pid=""
# The learner is gone: the actor keeps trying to reach it, with backoff.
for _ in $(seq 40); do grep -q "retrying in" actor2.log && break; sleep 0.1; done
grep -q "retrying in" actor2.log || fail "the actor did not try to reconnect after the learner went away"
kill -0 $actor_pid 2>/dev/null || fail "the actor exited when the learner went away"
kill $actor_pid 2>/dev/null; wait $actor_pid 2>/dev/null; actor_pid=""

col=$(head -1 runs/*/metrics.csv | tr ',' '\n' | grep -n '^remote_steps$' | cut -d: -f1)
[ -n "$col" ] || fail "metrics.csv has no remote_steps column"
final=$(tail -1 runs/*/metrics.csv | cut -d, -f"$col")
echo "remote_steps: ${at_kill:-?} when the first actor was killed, $final at the end"
awk -v a="${at_kill:-0}" -v b="$final" 'BEGIN { exit !(b > a && b > 0) }' || fail "remote experience did not grow after the restart"
[ "$(grep -c 'joined:' learner.log)" -ge 2 ] || fail "the learner did not log two joins"
grep -q "left (" learner.log || fail "the learner did not log the killed actor leaving"
grep -q "refused: wrong token" learner.log || fail "the learner did not log the refusal"
test -f runs/*/eval.json || fail "no eval.json"
echo "remote actors: ok"
