#!/usr/bin/env bash
# The Blender add-on's speed (tests/bench/blender_addon_bench.py: cold Generate, zone shade,
# age and zone density edits on the mannequin with examples/natural.json) side by side with
# Blender's own Geometry Nodes Poisson distribution of the same number of points on the same
# mesh (tests/bench/blender_gn_anchor.py with GN_TARGET = the design's dot count), in the same
# run. A benchmark, not a test (not in CTest). Targets (issue 10): cold Generate < 1.5 s, shade
# or age edit < 100 ms, zone density edit < 250 ms.
#
#   bash tests/bench/blender_addon_bench.sh [REPEATS] [COLD_RUNS]      (defaults 7 and 3)
#
# Environment: ZIP (default build/plugin/stipple_blender.zip; `cmake --build build --target
# blender-addon`), WORK (scratch, default /tmp/stipple_addon_bench). Each cold run is a fresh
# Blender process; the edits are timed in the first one. Exits 2 when blender is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
repeats=${1:-7}
cold_runs=${2:-3}
zip=${ZIP:-$root/build/plugin/stipple_blender.zip}
work=${WORK:-/tmp/stipple_addon_bench}
command -v blender >/dev/null || { echo "blender_addon_bench.sh: install blender" >&2; exit 2; }
[[ -f $zip ]] || { echo "blender_addon_bench.sh: $zip missing; build target blender-addon" >&2; exit 2; }
rm -rf "$work"
mkdir -p "$work/scripts/addons"
(cd "$work/scripts/addons" && python3 -m zipfile -e "$zip" .)
export BLENDER_USER_SCRIPTS=$work/scripts
python3 "$root/tests/bench/glb_to_obj.py" "$root/meshes/mannequin.glb" "$work/mannequin.obj"

echo "== machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'); $(uptime)"
colds=()
for i in $(seq 1 "$cold_runs"); do
    blender -b --factory-startup -noaudio --python-exit-code 1 \
        --python "$root/tests/bench/blender_addon_bench.py" -- "$work/mannequin.obj" \
        "$root/examples/natural.json" "$([[ $i == 1 ]] && echo "$repeats" || echo 1)" \
        >"$work/addon_$i.log" 2>&1 || { cat "$work/addon_$i.log" >&2; exit 1; }
    grep -E '^(cold|zone|age|one zone)' "$work/addon_$i.log" | sed "s/^/[run $i] /"
    colds+=("$(sed -n 's/^ADDON_BENCH_JSON //p' "$work/addon_$i.log")")
done
dots=$(sed -n 's/^ADDON_BENCH_JSON //p' "$work/addon_1.log" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["dots"])')
echo "== GN anchor, $dots points ($(uptime))"
GN_TARGET=$dots blender -b --factory-startup -noaudio --python-exit-code 1 \
    --python "$root/tests/bench/blender_gn_anchor.py" -- "$work/mannequin.obj" "$repeats" \
    >"$work/gn.log" 2>&1 || { cat "$work/gn.log" >&2; exit 1; }
grep -E '^GN anchor' "$work/gn.log"
gn=$(sed -n 's/^GN_ANCHOR_JSON //p' "$work/gn.log")
python3 - "$gn" "${colds[@]}" <<'PY'
import json, statistics, sys
gn = json.loads(sys.argv[1])
runs = [json.loads(a) for a in sys.argv[2:]]
first = runs[0]
cold = statistics.median(r["cold_generate_ms"] for r in runs)
print()
print(f"{'measure':38} {'add-on':>10} {'target':>8} {'GN anchor':>10} {'add-on/GN':>9}")
rows = [("cold Generate (median of %d runs)" % len(runs), cold, 1500),
        ("zone shade edit", first["shade"]["median_ms"], 100),
        ("age_days edit", first["age"]["median_ms"], 100),
        ("one zone density edit", first["density"]["median_ms"], 250)]
for label, ms, target in rows:
    print(f"{label:38} {ms:8.1f} ms {target:5d} ms {gn['median_ms']:7.1f} ms {ms / gn['median_ms']:8.3g}x"
          f"  {'met' if ms < target else 'MISSED'}")
print(f"(GN: Distribute Points on Faces, Poisson, {gn['points_median']} points on the same "
      f"mesh, median of {gn['repeats']}; add-on: {first['dots']} dots, layers {first['layer_size']}²)")
PY
