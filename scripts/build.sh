#!/usr/bin/env bash
# Configures and builds Stipple into build/ (or $STIPPLE_BUILD_DIR). Extra arguments go to
# cmake's configure step. Used by demo.sh and test.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${STIPPLE_BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh"
# A fresh clone in another folder reuses the compiler cache: paths under the repository are
# hashed relative to it, and the working directory is left out of the hash.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [[ ! -f "$build/CMakeCache.txt" ]]; then
    cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
else
    cmake -S "$root" -B "$build" "$@" >/dev/null
fi
cmake --build "$build" --parallel "$(nproc)"
