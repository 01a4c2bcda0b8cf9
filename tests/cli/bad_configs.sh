#!/usr/bin/env bash
# Runs `pavlov run` on every broken experiment file in tests/data/bad_configs/
# and on broken inputs made here (a directory, a missing file, overrides that
# do not parse), and checks each: exit code 2, the message names the
# position (file:line:col from the file's `# expect: LINE:COL KEY` line, or
# the override) and the key, and no run folder appeared.
# usage: bad_configs.sh PAVLOV DATA_DIR
set -u
pavlov=$(realpath "$1")
data=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0
checked=0

expect() {  # expect NAME EXPECTED_SUBSTRING... -- command...
  local name=$1; shift
  local needles=()
  while [ "$1" != "--" ]; do needles+=("$1"); shift; done
  shift
  local out rc
  out=$("$@" 2>&1); rc=$?
  checked=$((checked + 1))
  local bad=""
  [ "$rc" -eq 2 ] || bad="exit code $rc, expected 2"
  for n in "${needles[@]}"; do
    grep -qF -- "$n" <<<"$out" || bad="${bad:+$bad; }message lacks '$n'"
  done
  if [ -n "$(ls -A "$work" | grep -v '^good.toml$\|^adir$\|^fifo$')" ]; then
    bad="${bad:+$bad; }something was created: $(ls -A "$work" | tr '\n' ' ')"
    find "$work" -mindepth 1 -maxdepth 1 ! -name good.toml ! -name adir -exec rm -rf {} +
  fi
  if [ -n "$bad" ]; then
    failures=$((failures + 1))
    printf 'FAIL %s: %s\n--- output:\n%s\n---\n' "$name" "$bad" "$out"
  else
    printf 'ok   %s\n' "$name"
  fi
}

for f in "$data"/*.toml; do
  name=$(basename "$f" .toml)
  header=$(head -n 1 "$f")
  if [[ "$header" =~ ^#\ expect:\ ([0-9]+):([0-9]+)\ (.*)$ ]]; then
    expect "$name" "$f:${BASH_REMATCH[1]}:${BASH_REMATCH[2]}:" "${BASH_REMATCH[3]}" -- "$pavlov" run "$f"
  else  # an empty file has no room for an expectation
    expect "$name" "$f:1:1:" "empty" -- "$pavlov" run "$f"
  fi
done

cat > good.toml <<'TOML'
[experiment]
name = "good"
[env]
id = "CartPole-v1"
[agent]
algo = "dqn"
[train]
total_steps = 100
TOML
mkdir adir
expect directory "adir: error" "directory" -- "$pavlov" run adir
expect missing_file "nope.toml: error" "no such file" -- "$pavlov" run nope.toml
expect override_without_value "override 'agent.gamma'" "key.path=value" -- "$pavlov" run good.toml agent.gamma
expect override_wrong_type "override 'agent.gamma=abc'" "agent.gamma" -- "$pavlov" run good.toml agent.gamma=abc
expect override_unknown_key "override 'agent.lr=0.1'" "unknown key 'lr'" -- "$pavlov" run good.toml agent.lr=0.1
expect override_empty_part "override 'agent..gamma=0.9'" "key.path=value" -- "$pavlov" run good.toml agent..gamma=0.9
expect override_out_of_range "override 'env.num_envs=-4'" "env.num_envs" -- "$pavlov" run good.toml env.num_envs=-4
expect override_into_value "override 'env.id.x=1'" "not a table" -- "$pavlov" run good.toml env.id.x=1
expect override_unknown_env "override 'env.id=CartPol-v1'" "CartPole-v1" -- "$pavlov" run good.toml env.id=CartPol-v1
# An agent that cannot use the network asked for: the error points at its algo line (or override).
expect transformer_for_dqn "good.toml:6:8:" "type = \"transformer\" is for ppo and a2c" -- \
  "$pavlov" run good.toml agent.net.type=transformer env.frame_stack=4
expect transformer_without_window "override 'agent.algo=ppo'" "set [env] frame_stack = k" -- \
  "$pavlov" run good.toml agent.algo=ppo agent.net.type=transformer
expect transformer_heads "override 'agent.algo=ppo'" "heads = 3 does not divide dim = 64" -- \
  "$pavlov" run good.toml agent.algo=ppo agent.net.type=transformer env.frame_stack=4 agent.net.heads=3
if [ "$(id -u)" -ne 0 ]; then  # root reads any file, so this case needs an ordinary user
  cp good.toml locked.toml && chmod 000 locked.toml
  expect unreadable "locked.toml: error" "cannot be read" -- "$pavlov" run locked.toml
  rm -f locked.toml
fi

echo "bad configs: $checked checked, $failures failed"
[ "$failures" -eq 0 ]
