#!/usr/bin/env bash
# Runs one libFuzzer target of tests/fuzz with its seed corpus and dictionary.
#
#   scripts/fuzz.sh [--fresh] <target | path/to/fuzz_binary> [libFuzzer options...]
#
# <target> is design, mesh or png_mask: the fuzz build (build-fuzz/, clang, ASan + UBSan +
# libFuzzer, core only; $STIPPLE_FUZZ_BUILD_DIR to move it) is configured and built first.
# New inputs the fuzzer finds are kept in $STIPPLE_FUZZ_WORK (default <build>/fuzz-work/<target>)
# so later runs resume from them; the seed corpus in tests/fuzz/corpus/<target> is only read.
# --fresh starts from the seeds alone (CTest's smoke runs do, so they are reproducible).
# Crashes, leaks and timeouts are written to <work>-artifacts/ and make the exit status non-zero.
#
# A long run (docs/reliability.md):   nice scripts/fuzz.sh mesh -runs=1000000
# In parallel on every core:          nice scripts/fuzz.sh mesh -runs=1000000 -fork=2
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

fresh=0
if [[ "${1:-}" == "--fresh" ]]; then fresh=1; shift; fi
[[ $# -ge 1 ]] || { sed -n '2,15p' "$0" >&2; exit 2; }
target=$1; shift

if [[ -x "$target" && -f "$target" ]]; then
    binary=$(cd "$(dirname "$target")" && pwd)/$(basename "$target")
    name=$(basename "$binary"); name=${name#fuzz_}
else
    name=$target
    build=${STIPPLE_FUZZ_BUILD_DIR:-$root/build-fuzz}
    [[ -f "$root/tests/fuzz/fuzz_$name.cpp" ]] || {
        echo "fuzz.sh: unknown target '$name' (one of: design, mesh, png_mask)" >&2; exit 2; }
    STIPPLE_BUILD_DIR="$build" bash "$root/scripts/build.sh" -DCMAKE_C_COMPILER=clang \
        -DCMAKE_CXX_COMPILER=clang++ -DSTIPPLE_BUILD_FUZZ=ON >/dev/null
    binary=$build/tests/fuzz/fuzz_$name
fi

seeds=$root/tests/fuzz/corpus/$name
work=${STIPPLE_FUZZ_WORK:-$(dirname "$binary")/fuzz-work/$name}
[[ $fresh -eq 1 ]] && rm -rf "$work"
mkdir -p "$work" "$work-artifacts"
options=(-rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "-artifact_prefix=$work-artifacts/")
[[ -f "$root/tests/fuzz/$name.dict" ]] && options+=("-dict=$root/tests/fuzz/$name.dict")

# Leaks count as failures; UBSan stops at the first report so libFuzzer records the input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=0}
# Assimp's own leaks on malformed files are not ours: tests/fuzz/lsan.supp lists them.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The first folder receives new inputs; the seed folder after it is read only.
exec "$binary" "${options[@]}" "$@" "$work" "$seeds"
