#!/usr/bin/env bash
# Peak memory of mesh import (docs/input-limits.md, "Mesh import memory budget"): runs
# `stipple inspect` under /usr/bin/time -v on the shared heads, on the largest meshes the import
# limits allow and on issue 13's hostile headers, and prints one row per file: exit code, peak
# RSS (MB), wall seconds and the first line of the message.
#
#   tests/bench/import_memory.sh [STIPPLE_EXE] [WORK_DIR]
#
# STIPPLE_EXE defaults to build/renderer/cli/stipple; WORK_DIR (default /tmp/stipple-import-memory)
# receives the generated meshes (about 330 MB; made once by make_limit_meshes.py).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
exe=${1:-$root/build/renderer/cli/stipple}
work=${2:-/tmp/stipple-import-memory}
heads=${STIPPLE_SHARED_HEADS:-$root/../shared/heads}
[[ -f $work/hostile_deep_scopes.fbx ]] || python3 "$root/tests/bench/make_limit_meshes.py" "$work"

files=(
    "$heads/ict_facekit_neutral/generic_neutral_mesh_skin_only.obj"
    "$heads/ict_facekit_neutral/generic_neutral_mesh.obj"
    "$heads/demosthenes_bust/demosthenes-low-res.obj"
    "$root/meshes/mannequin.glb"
    "$work/limit_3Mv_2Mt.ply" "$work/limit_3Mv_2Mt.obj" "$work/limit_2Mt.stl"
    "$work/limit_1Mv_2Mt.glb"
    "$work/hostile_ascii_billion.ply" "$work/hostile_list_count.ply"
    "$work/hostile_billion_facets.stl" "$work/hostile_deep_nodes.glb"
    "$work/hostile_deep_connections.fbx" "$work/hostile_deep_scopes.fbx"
)
printf '| file | bytes | exit | peak RSS (MB) | wall (s) | message |\n| --- | --- | --- | --- | --- | --- |\n'
for f in "${files[@]}"; do
    [[ -f $f ]] || { echo "| $(basename "$f") | missing | | | | |"; continue; }
    log=$(mktemp)
    set +e
    /usr/bin/time -v "$exe" inspect "$f" >"$log.out" 2>"$log"
    code=$?
    set -e
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    message=$(grep -m1 -v -E '^\s|^Command' "$log" | cut -c1-140 || true)
    [[ -n $message ]] || message=$(head -1 "$log.out" | cut -c1-140)
    printf '| %s | %s | %s | %s | %s | %s |\n' "$(basename "$f")" "$(stat -c %s "$f")" "$code" \
        "$rss" "$wall" "${message//|/\\|}"
    rm -f "$log" "$log.out"
done
