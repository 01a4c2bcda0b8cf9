#!/usr/bin/env bash
# Runs the ```sh blocks of docs/custom_env.md in order, as one shell script, the
# way a user would type them: HOME is a fresh folder, the working directory a
# pavlov clone whose build/ is BUILD_DIR. Then checks what the training reached.
# usage: custom_env_tutorial.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/clone" "$work/home"
ln -s "$src/examples" "$work/clone/examples"
ln -s "$build" "$work/clone/build"
script=$(awk '/^```sh$/ { on = 1; next } /^```$/ { on = 0 } on' "$src/docs/custom_env.md")
[ -n "$script" ] || { echo "no sh blocks in docs/custom_env.md"; exit 1; }
(cd "$work/clone" && HOME="$work/home" bash -euo pipefail -c "$script" > "$work/log" 2>&1) || {
  cat "$work/log"
  exit 1
}
grep -q "^KeyDoor-v0: conforms" "$work/log" || { cat "$work/log"; echo "check-env did not pass"; exit 1; }
[ -s "$work/home/my_env/key_door.gif" ] || { cat "$work/log"; echo "watch --record wrote no key_door.gif"; exit 1; }
eval_json=$(ls "$work"/home/my_env/runs/*/eval.json)
source "$(dirname "$0")/eval_mean.sh"
mean=$(eval_mean "$eval_json" final)
awk -v m="$mean" 'BEGIN { exit !(m != "" && m + 0 >= 1.19) }' || { cat "$eval_json"; echo "final mean $mean < 1.19"; exit 1; }
echo "tutorial: ok (check-env passed, final evaluation mean $mean, key_door.gif recorded)"
