#!/usr/bin/env bash
# The whole test suite, from nothing: installs packages, builds with warnings as errors, runs
# every CTest suite (unit, golden-image, acceptance on ../shared/heads), then the CPU suites
# again under AddressSanitizer + UndefinedBehaviorSanitizer, then the libFuzzer targets
# (tests/fuzz, built with clang) for a short fixed count each.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

echo "== build (warnings as errors) =="
STIPPLE_BUILD_DIR="$root/build" bash "$root/scripts/build.sh" -DSTIPPLE_WERROR=ON
echo "== tests =="
ctest --test-dir "$root/build" --output-on-failure --parallel "$jobs" --timeout 900

echo "== sanitizer build (ASan + UBSan), CPU suites =="
STIPPLE_BUILD_DIR="$root/build-asan" bash "$root/scripts/build.sh" -DSTIPPLE_WERROR=ON \
    -DSTIPPLE_SANITIZE=ON -DSTIPPLE_BUILD_RENDER=OFF -DSTIPPLE_BUILD_BENCH=OFF
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir "$root/build-asan" --output-on-failure --parallel "$jobs" --timeout 1800

echo "== fuzz build (clang, libFuzzer + ASan + UBSan, core only): smoke runs =="
STIPPLE_BUILD_DIR="$root/build-fuzz" bash "$root/scripts/build.sh" -DSTIPPLE_WERROR=ON \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DSTIPPLE_BUILD_FUZZ=ON
ctest --test-dir "$root/build-fuzz" --output-on-failure --parallel "$jobs" --timeout 600
