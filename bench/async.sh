#!/usr/bin/env bash
# Env steps per second with learning, in the runtime modes of [runtime]: sync,
# async with 1 and 2 actor threads, and async with 1 local actor plus 2
# remote actor processes on loopback (`pavlov actor`). Each figure is env
# steps learned over wall-clock seconds at the last metrics row before the
# final evaluation. One line per figure: BENCH <experiment>/<mode> <steps/s>.
# Run on an idle machine after building: bench/async.sh [BUILD_DIR]
set -uo pipefail
pavlov=$(realpath "${1:-build}/pavlov")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
export PAVLOV_TOKEN=bench

sps() {  # sps RUN_PARENT: steps / wall_time of the row before the last
  tail -2 "$1"/*/metrics.csv | head -1 | awk -F, '{ printf "%.0f", $1 / $2 }'
}

# case NAME FILE ENVS STEPS
case_() {
  local name=$1 file=$root/experiments/$2 envs=$3 steps=$4
  local common=(train.total_steps=$steps train.eval_every=0 train.log_every=$((steps / 10)) train.checkpoint_every=0)
  "$pavlov" run "$file" experiment.out_dir="$work/$name-sync" env.num_envs=$envs "${common[@]}" >/dev/null 2>&1
  echo "BENCH $name/sync $(sps "$work/$name-sync")"
  for a in 1 2; do
    "$pavlov" run "$file" experiment.out_dir="$work/$name-a$a" env.num_envs=$envs runtime.mode=async runtime.actors=$a \
      "${common[@]}" >/dev/null 2>&1
    echo "BENCH $name/async_${a}_actors $(sps "$work/$name-a$a")"
  done
  # 1 local actor thread and 2 remote processes of 1 actor thread each, every actor with ENVS envs.
  "$pavlov" run "$file" experiment.out_dir="$work/$name-remote" env.num_envs=$envs runtime.mode=async runtime.actors=1 \
    runtime.listen=127.0.0.1:0 runtime.remote_envs=$((2 * envs)) "${common[@]}" >/dev/null 2>"$work/learner.log" &
  local learner=$! port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening for remote actors on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/learner.log")
    [ -n "$port" ] && break
    sleep 0.05
  done
  local actors=()
  for _ in 1 2; do
    "$pavlov" actor "$file" --connect 127.0.0.1:$port env.num_envs=$envs runtime.actors=1 >/dev/null 2>&1 &
    actors+=($!)
  done
  wait $learner
  kill "${actors[@]}" 2>/dev/null; wait "${actors[@]}" 2>/dev/null
  echo "BENCH $name/async_1_actor_2_remote $(sps "$work/$name-remote")"
}

echo "CPU: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
case_ dqn_cartpole cartpole_dqn.toml 2 20000
case_ dqn_lunarlander lunarlander_dqn.toml 2 20000
case_ impala_cartpole cartpole_impala.toml 8 300000
case_ impala_lunarlander ../bench/configs/lunarlander_impala.toml 16 300000
