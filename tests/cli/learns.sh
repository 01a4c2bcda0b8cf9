#!/usr/bin/env bash
# Trains an experiment file and checks that an evaluation reached a return.
# usage: learns.sh PAVLOV EXPERIMENT_FILE final|best MIN_MEAN [overrides...]
set -u
pavlov=$(realpath "$1"); experiment=$(realpath "$2"); which=$3; min=$4; shift 4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
"$pavlov" run "$experiment" experiment.out_dir=runs "$@" >/dev/null 2>run.log || { cat run.log; exit 1; }
json=$(cat runs/*/eval.json)
echo "$json"
source "$(dirname "$0")/eval_mean.sh"
mean=$(eval_mean runs/*/eval.json "$which")
awk -v m="$mean" -v t="$min" 'BEGIN { exit !(m != "" && m + 0 >= t + 0) }' || { echo "FAIL: $which mean $mean < $min"; exit 1; }
echo "ok: $which evaluation mean $mean >= $min"
