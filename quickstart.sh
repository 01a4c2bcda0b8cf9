#!/usr/bin/env bash
# pavlov's quick start on Debian 12 (root, or a user with sudo):
#
#   ./quickstart.sh          install what is missing, build into build/, run the main job
#   ./quickstart.sh test     install what is missing, build into build/, run the whole test suite
#
# Environment: BUILD_DIR (default build), JOBS (default: all cores).
set -euo pipefail
cd "$(dirname "$0")"
what=${1:-run}
build=${BUILD_DIR:-build}

# Debian 12 packages: the toolchain and every library pavlov builds against.
packages=(cmake ninja-build g++ ccache pkg-config
          libboost-dev libboost-program-options-dev libtomlplusplus-dev doctest-dev
          libbox2d-dev libsfml-dev libtorch-dev libopenblas0-openmp
          libgif-dev libavformat-dev libavcodec-dev libswscale-dev  # recordings: GIF, MP4
          xvfb xauth              # the window test runs on a virtual display
          zlib1g-dev dataset-fashion-mnist fortunes  # the zoo's datasets (nets/data/)
          python3-protobuf)       # only for the test that decodes TensorBoard files

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ccache keyed on paths relative to the source root, so any clone reuses the cache.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
echo "== building into $build/"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "${JOBS:-$(nproc)}"

case "$what" in
run)
  # The main job: DQN learns CartPole-v1 (about half a minute on two cores), then prints its evaluation.
  "$build/pavlov" run experiments/cartpole_dqn.toml
  ;;
test)
  cd "$build" && ctest --output-on-failure -j "${JOBS:-$(nproc)}"
  ;;
*) echo "usage: ./quickstart.sh [run|test]" >&2; exit 2 ;;
esac
