#!/usr/bin/env bash
# The standard benchmarks, one line each: BENCH <case> <figure>. Environments in
# steps per second; the DQN learner's update and the bare matmuls of the same
# network and batch in microseconds (bench/dqn_update.cc); PPO's gradient step in microseconds and
# LibTorch ops (bench/ppo_update.cc); SAC's gradient steps per second on the LunarLanderContinuous
# and BipedalWalker recipes (bench/learner_updates.cc).
# Run on an idle machine after building: bench/run.sh [BUILD_DIR]
# Each figure is the median of 5 timed runs (2-thread figures vary on a shared VM).
set -euo pipefail
pavlov=${1:-build}/pavlov
run() { "$pavlov" bench env "$@" --repeat 5 | grep '^BENCH'; }
run CartPole-v1 --steps 20000000 --label cartpole_single
run CartPole-v1 --num-envs 1024 --threads 1 --steps 50000000 --label cartpole_vec1024_t1
run CartPole-v1 --num-envs 1024 --threads 2 --steps 100000000 --label cartpole_vec1024_t2
"${1:-build}/bench_cartpole_floor" | grep '^BENCH'  # the same dynamics as bare arrays: the ceiling
"${1:-build}/bench_cartpole_shards" | grep '^BENCH'  # the 2-thread step against a pool of two 512-env VectorEnvs: the host's state
run MountainCar-v0 --steps 20000000 --label mountaincar_single
run MountainCarContinuous-v0 --steps 20000000 --label mountaincarcontinuous_single
run Acrobot-v1 --steps 5000000 --label acrobot_single
run Pendulum-v1 --steps 20000000 --label pendulum_single
run LunarLander-v3 --steps 2000000 --label lunarlander_single
run LunarLander-v3 --num-envs 16 --threads 1 --steps 2000000 --label lunarlander_vec16_t1
run LunarLander-v3 --num-envs 16 --threads 2 --steps 4000000 --label lunarlander_vec16_t2
run Reacher2D-v0 --steps 5000000 --label reacher2d_single
"${1:-build}/bench_dqn_update" experiments/cartpole_dqn.toml --threads 1 | grep '^BENCH'
"${1:-build}/bench_dqn_update" experiments/minatar_breakout_dqn.toml --threads 1 | grep '^BENCH' | sed 's/ dqn_/ minatar_dqn_/'
"${1:-build}/bench_ppo_update" experiments/cartpole_ppo.toml --threads 1 | grep '^BENCH'
for f in lunarlander_continuous_sac bipedalwalker_sac; do
  "${1:-build}/bench_learner_updates" experiments/$f.toml --batch 256 --seconds 5 --label "$f" | grep '^BENCH'
done
