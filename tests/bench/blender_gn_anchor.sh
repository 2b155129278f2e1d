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
# The mesh is converted GLB -> OBJ (v and f lines, UV-seam duplicates welded) by a small Python
# converter below: Blender 3.4's glTF importer fails on Debian 12 (numpy 1.24 dropped np.bool),
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

python3 - "$mesh" "$obj" <<'PY'
# GLB (glTF 2 binary) -> OBJ with v and f lines only.
import json, struct, sys
src, dst = sys.argv[1], sys.argv[2]
d = open(src, 'rb').read()
magic, version, length = struct.unpack_from('<III', d, 0)
assert magic == 0x46546C67 and version == 2, src + ': not a glTF 2 binary'
off, js, binc = 12, None, None
while off < length:
    clen, ctype = struct.unpack_from('<II', d, off)
    body = d[off + 8:off + 8 + clen]
    if ctype == 0x4E4F534A: js = json.loads(body)      # 'JSON'
    elif ctype == 0x004E4942: binc = body              # 'BIN\0'
    off += 8 + clen
def read(ai):
    a = js['accessors'][ai]
    bv = js['bufferViews'][a['bufferView']]
    fmt = {5126: 'f', 5125: 'I', 5123: 'H', 5121: 'B'}[a['componentType']]
    ncomp = {'SCALAR': 1, 'VEC2': 2, 'VEC3': 3}[a['type']]
    start = bv.get('byteOffset', 0) + a.get('byteOffset', 0)
    stride = bv.get('byteStride', 0) or struct.calcsize(fmt) * ncomp
    return [struct.unpack_from('<%d%s' % (ncomp, fmt), binc, start + i * stride)
            for i in range(a['count'])]
base = 0
with open(dst, 'w') as f:
    for m in js['meshes']:
        for p in m['primitives']:
            assert p.get('mode', 4) == 4, 'triangles only'
            pos = read(p['attributes']['POSITION'])
            idx = [i[0] for i in read(p['indices'])]
            key, remap, uniq = {}, [], []                  # weld UV-seam duplicates
            for v in pos:
                k = key.get(v)
                if k is None:
                    k = key[v] = len(uniq)
                    uniq.append(v)
                remap.append(k)
            f.writelines('v %.6f %.6f %.6f\n' % v for v in uniq)
            f.writelines('f %d %d %d\n' % tuple(base + remap[idx[t + j]] + 1 for j in range(3))
                         for t in range(0, len(idx), 3))
            base += len(uniq)
PY

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
