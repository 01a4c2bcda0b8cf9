#!/usr/bin/env bash
# `pavlov explain` on agent runs: a DQN run on a pixel game (a short one)
# gets its saliency maps drawn; a PPO run, whose agent has none, is refused
# with exit 2 and a message that says so.
# usage: explain_agent.sh PAVLOV SOURCE_DIR
set -u
pavlov=$(realpath "$1"); src=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
"$pavlov" run "$src/experiments/minatar_breakout_dqn.toml" train.total_steps=2000 replay.learning_starts=500 \
  train.eval_every=0 train.eval_episodes=1 experiment.out_dir=dqn >/dev/null 2>dqn.log || { cat dqn.log; exit 1; }
"$pavlov" explain dqn/*/ --steps 0,2 >explain.log 2>&1 || { cat explain.log; echo "FAIL: explain of a DQN run"; exit 1; }
[ -s "$(ls -d dqn/*/)explain.png" ] || { echo "FAIL: no explain.png"; exit 1; }
"$pavlov" run "$src/experiments/cartpole_ppo.toml" train.total_steps=1024 train.eval_every=0 train.eval_episodes=1 \
  experiment.out_dir=ppo >/dev/null 2>ppo.log || { cat ppo.log; exit 1; }
"$pavlov" explain ppo/*/ >/dev/null 2>ppo.err; rc=$?
[ $rc -eq 2 ] && grep -q "agent has no saliency maps" ppo.err || { cat ppo.err; echo "FAIL: PPO run (exit $rc)"; exit 1; }
echo "explain agent: ok"
