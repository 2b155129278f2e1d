#!/usr/bin/env bash
# An anchor for the live Session's per-edit cost, measured in the same run: Blender's Geometry
# Nodes "Distribute Points on Faces" (Poisson Disk, ~100k points on the bundled mannequin, see
# tests/bench/blender_gn_anchor.py) against build/tests/bench/session_bench, printed side by side
# with the ratio of Stipple's zone-shade / one-zone-density / hairline-height edit (incremental
# column) to the GN evaluation. A benchmark, not a test (not in CTest).
#
#   bash tests/bench/blender_gn_anchor.sh [GN_REPEATS] [SESSION_REPEATS]     (defaults 7 and 5)
#
# Environment: SESSION_BENCH (default build/tests/bench/session_bench; build it with
# `cmake --build build --target session_bench`), MESH (default meshes/mannequin.glb), WORK
# (scratch directory for the OBJ and logs, default /tmp/stipple_gn_anchor), GN_DISTANCE_FACTOR
# (Distance Min as a fraction of the hexagonal spacing of 100k points, default 0.7).
# The mesh is converted GLB -> OBJ (v and f lines, UV-seam duplicates welded) by
# tests/bench/glb_to_obj.py: Blender 3.4's glTF importer fails on Debian 12 (numpy 1.24 dropped np.bool),
# its C++ OBJ importer works. Installs nothing: exits 2 and says what to install when blender
# is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
gn_repeats=${1:-7}
session_repeats=${2:-5}
bench=${SESSION_BENCH:-$root/build/tests/bench/session_bench}
mesh=${MESH:-$root/meshes/mannequin.glb}
work=${WORK:-/tmp/stipple_gn_anchor}

if ! command -v blender >/dev/null; then
    echo "blender_gn_anchor.sh: 'blender' is not installed. On Debian 12:" >&2
    echo "    sudo apt-get install blender" >&2
    exit 2
fi
if [ ! -x "$bench" ]; then
    echo "blender_gn_anchor.sh: $bench not found; build it with" >&2
    echo "    cmake --build build --target session_bench" >&2
    exit 2
fi
mkdir -p "$work"
obj=$work/mannequin.obj

python3 "$root/tests/bench/glb_to_obj.py" "$mesh" "$obj"

echo "== machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'); $(uptime)"
echo "== Blender GN anchor ($gn_repeats repeats)"
blender -b --factory-startup -noaudio --python-exit-code 1 \
    --python "$root/tests/bench/blender_gn_anchor.py" -- "$obj" "$gn_repeats" \
    >"$work/blender.log" 2>&1 || { cat "$work/blender.log" >&2; exit 1; }
grep -E '^(Blender [0-9]|GN anchor|GN_ANCHOR_JSON)' "$work/blender.log"
gn_ms=$(sed -n 's/^GN_ANCHOR_JSON //p' "$work/blender.log" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])')
echo "== load after Blender: $(uptime)"
echo "== session_bench $session_repeats"
"$bench" "$session_repeats" | tee "$work/session_bench.txt"
echo "== load after session_bench: $(uptime)"

echo
echo "== side by side (GN: Distribute Points on Faces, Poisson, ~100k points, median $gn_ms ms)"
python3 - "$work/session_bench.txt" "$gn_ms" <<'PY'
import re, sys
text, gn = open(sys.argv[1]).read(), float(sys.argv[2])
print('%-34s %12s %12s %10s' % ('Stipple edit (incremental)', 'Stipple', 'GN anchor', 'Stipple/GN'))
for label in ('zone shade', 'one zone density', 'hairline height'):
    m = re.search(r'^(%s[^\n]*?)\s+([0-9.]+) ms' % re.escape(label), text, re.M)
    if not m:
        print('%-34s %12s' % (label, 'not found'))
        continue
    ms = float(m.group(2))
    print('%-34s %9.1f ms %9.1f ms %9.3gx' % (m.group(1).strip(), ms, gn, ms / gn))
PY
