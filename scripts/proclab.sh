#!/usr/bin/env bash
# ProcLab set-up on Debian 12: installs what is missing, builds, then runs the
# app or the tests.
#
#   scripts/proclab.sh run    install, build, open the ProcLab window
#   scripts/proclab.sh test   install, build, run every test (and the core
#                             tests again under ThreadSanitizer)
#
# Run it as root or as a user who may use sudo (only apt-get needs it).
# BUILD_DIR (default: build) and JOBS (default: number of CPUs) can be set.
set -euo pipefail

mode=${1:-}
case "$mode" in
  run|test) ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build_dir=${BUILD_DIR:-build}
tsan_dir=${TSAN_BUILD_DIR:-build-tsan}
jobs=${JOBS:-$(nproc)}

packages=(cmake ninja-build g++ qt6-base-dev qt6-svg-dev libqcustomplot-dev libboost-dev
          xvfb xauth dpkg-dev file)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: not root and no sudo: install ${missing[*]} first" >&2; exit 1; }
    sudo_cmd=(sudo)
  fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

echo "== configuring and building in $build_dir"
start=$(date +%s)
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build_dir" -j "$jobs"
echo "== build took $(( $(date +%s) - start )) s"

if [ "$mode" = run ]; then
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "No display here: starting ProcLab on a virtual display would show nothing." >&2
    echo "On a desktop run: $build_dir/app/proclab   Headless: $build_dir/app/proclab --help" >&2
    exit 1
  fi
  exec "$build_dir/app/proclab"
fi

echo "== tests"
# Benchmarks are not tests, but they must keep compiling.
cmake --build "$build_dir" -j "$jobs" --target benchmarks
(cd "$build_dir" && ctest --output-on-failure -j "$jobs" --timeout 600)

echo "== core tests under ThreadSanitizer in $tsan_dir"
cmake -S . -B "$tsan_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPROCLAB_BUILD_GUI=OFF -DPROCLAB_SANITIZE=thread
cmake --build "$tsan_dir" -j "$jobs"
(cd "$tsan_dir" && ctest --output-on-failure -L core --timeout 900)
echo "== all tests passed in $(( $(date +%s) - start )) s"
