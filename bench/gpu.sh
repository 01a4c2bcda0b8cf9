#!/usr/bin/env bash
# The GPU benchmarks of docs/gpu.md, on a machine with CUDA, a pavlov built
# against a CUDA LibTorch (BUILD_DIR) and a Python whose torch has CUDA:
#  1. learner updates per second, pavlov (bench_learner_updates) and the same
#     model, batch and optimizer in PyTorch (bench/torch_updates.py), on the
#     GPU and on the CPU, float32 and bfloat16 autocast (amp), with the ratio
#     pavlov / PyTorch;
#  2. env frames per second of MinAtar Breakout DQN learning with the learner
#     on the GPU (pavlov run, the run's own figure).
# usage: bench/gpu.sh [BUILD_DIR] [SECONDS_PER_FIGURE] [CASE...]
#   CASE: dqn_mlp dqn_minatar ppo_nature minatar_run (default: all)
set -uo pipefail
build=${1:-build-cuda}
secs=${2:-2}
shift 2 2>/dev/null || shift $#
cases=${*:-dqn_mlp dqn_minatar ppo_nature minatar_run}
py=${PYTHON:-python3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
log=$(mktemp)
cores=$(nproc)

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
"$py" -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda)'
echo "CPU: $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"

# pair CASE EXPERIMENT_FILE BATCHES CPU_THREADS DEVICE [amp]
pair() {
  local case=$1 file=$2 batches=$3 threads=$4 dev=$5 amp=${6:-}
  "$build/bench_learner_updates" "$root/$file" --device "$dev" --batch "$batches" --seconds "$secs" \
    --label "$case${amp:+_amp}" experiment.threads="$threads" ${amp:+experiment.amp=true} | tee -a "$log"
  "$py" "$here/torch_updates.py" "$case" --device "$dev" --batch "$batches" --seconds "$secs" --threads "$threads" \
    ${amp:+--amp --label _amp} | tee -a "$log"
}
for c in $cases; do
  case $c in
  dqn_mlp)
    pair dqn_mlp experiments/cartpole_dqn.toml 32,256,1024 1 cuda
    pair dqn_mlp experiments/cartpole_dqn.toml 32,256,1024 1 cpu ;;
  dqn_minatar)
    pair dqn_minatar experiments/minatar_breakout_dqn.toml 32,256,1024 1 cuda
    pair dqn_minatar experiments/minatar_breakout_dqn.toml 32,256,1024 1 cuda amp
    pair dqn_minatar experiments/minatar_breakout_dqn.toml 32,256,1024 1 cpu ;;
  ppo_nature)
    pair ppo_nature bench/configs/car_racing_ppo_nature.toml 32,256,1024 "$cores" cuda
    pair ppo_nature bench/configs/car_racing_ppo_nature.toml 32,256,1024 "$cores" cuda amp
    pair ppo_nature bench/configs/car_racing_ppo_nature.toml 32,256 "$cores" cpu ;;
  minatar_run)
    out=$(mktemp -d)
    "$build/pavlov" run "$root/experiments/minatar_breakout_dqn.toml" experiment.device=cuda train.total_steps=25000 \
      train.log_every=5000 train.eval_every=0 experiment.out_dir="$out" >/dev/null 2>&1
    echo "BENCH minatar_breakout_dqn_run_cuda_sps $(tail -1 "$out"/*/metrics.csv | cut -d, -f3)" \
      "(25k frames, the first 5k random; metrics.csv's sps)" | tee -a "$log"
    rm -rf "$out" ;;
  *) echo "unknown case $c" >&2 ;;
  esac
done

echo
echo "updates/s                  pavlov   PyTorch  ratio"
grep '^BENCH learner_' "$log" | while read -r _ key value; do
  other=$(grep "^BENCH torch_${key#learner_} " "$log" | awk '{print $3}')
  [ -n "$other" ] && awk -v k="${key#learner_}" -v a="$value" -v b="$other" \
    'BEGIN { printf "%-24s %9.1f %9.1f %6.2f\n", k, a, b, a / b }'
done
rm -f "$log"
