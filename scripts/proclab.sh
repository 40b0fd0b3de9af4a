#!/usr/bin/env bash
# ProcLab set-up on Debian 12: installs what is missing, builds, then runs the
# app or the tests.
#
#   scripts/proclab.sh run    install, build, open the ProcLab window
#   scripts/proclab.sh test   install, build and pass every check:
#                             formatting, a warnings-as-errors build, every test,
#                             the lesson checker, the core tests again under
#                             ThreadSanitizer, and the input tests under
#                             AddressSanitizer + UndefinedBehaviorSanitizer
#                             (clang) with the fuzzers
#
# Run it as root or as a user who may use sudo (only apt-get needs it).
# BUILD_DIR (default: build), JOBS (default: number of CPUs) and
# FUZZ_SECONDS (default: 10 per fuzz target) can be set.
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
asan_dir=${ASAN_BUILD_DIR:-build-asan}
jobs=${JOBS:-$(nproc)}
fuzz_seconds=${FUZZ_SECONDS:-10}

packages=(cmake ninja-build g++ qt6-base-dev qt6-svg-dev libqcustomplot-dev libboost-dev
          zlib1g-dev libzstd-dev xvfb xauth dpkg-dev file)
if [ "$mode" = test ]; then
  packages+=(clang clang-format libclang-rt-14-dev lld)
fi

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

start=$(date +%s)
phase_start=$start
phase() {
  local now; now=$(date +%s)
  [ -n "${phase_name:-}" ] && echo "== $phase_name took $(( now - phase_start )) s"
  phase_name=$1; phase_start=$now
  echo "== $phase_name"
}

if [ "$mode" = run ]; then
  phase "configuring and building in $build_dir"
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROCLAB_UNITY_BUILD=ON
  cmake --build "$build_dir" -j "$jobs"
  phase "starting ProcLab"
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "No display here: starting ProcLab on a virtual display would show nothing." >&2
    echo "On a desktop run: $build_dir/app/proclab   Headless: $build_dir/app/proclab --help" >&2
    exit 1
  fi
  exec "$build_dir/app/proclab"
fi

phase "formatting (clang-format --dry-run --Werror)"
git ls-files -- '*.cpp' '*.h' | xargs clang-format --dry-run --Werror

phase "building in $build_dir (warnings are errors)"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROCLAB_WARNINGS_AS_ERRORS=ON \
  -DPROCLAB_UNITY_BUILD=ON "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
cmake --build "$build_dir" -j "$jobs"
# Benchmarks are not tests, but they must keep compiling.
cmake --build "$build_dir" -j "$jobs" --target benchmarks

phase "tests"
(cd "$build_dir" && ctest --output-on-failure -j "$jobs")

phase "lesson checker on the shipped lessons"
"$build_dir/app/proclab" check-lessons

# Sanitized builds: optimised lightly and without debug information (the reports' stack traces
# name the functions; rebuild with -g for file and line), so that the two extra builds fit in
# CI's time.
sanitizer_flags="-O1 -g0 -DNDEBUG"

phase "core tests under ThreadSanitizer in $tsan_dir"
cmake -S . -B "$tsan_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$sanitizer_flags" -DPROCLAB_UNITY_BUILD=ON -DPROCLAB_BUILD_GUI=OFF -DPROCLAB_SANITIZE=thread
cmake --build "$tsan_dir" -j "$jobs"
(cd "$tsan_dir" && ctest --output-on-failure -L core -j "$jobs")

# AddressSanitizer + UndefinedBehaviorSanitizer: the core tests that feed the code outside input
# (label "input": files, lessons, sockets, hostile peers, wire formats) and the fuzzers.
phase "input tests under AddressSanitizer + UndefinedBehaviorSanitizer, and the fuzzers, in $asan_dir"
cmake -S . -B "$asan_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$sanitizer_flags" -DPROCLAB_UNITY_BUILD=ON \
  -DPROCLAB_BUILD_GUI=OFF "-DPROCLAB_SANITIZE=address;undefined" -DPROCLAB_FUZZ=ON \
  -DPROCLAB_FUZZ_SECONDS="$fuzz_seconds"
cmake --build "$asan_dir" -j "$jobs" --target input_tests fuzzers
(cd "$asan_dir" && ctest --output-on-failure -L 'input|fuzz' -j "$jobs")

phase "done"
echo "== all checks passed in $(( $(date +%s) - start )) s"
