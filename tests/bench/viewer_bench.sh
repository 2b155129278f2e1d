#!/usr/bin/env bash
# The viewer's benchmark: tests/bench/viewer_bench.json replayed on the demo design at 1280x720
# with 4x MSAA under xvfb-run (llvmpipe), then a summary of --stats: first frame, orbit and
# still frame times (median, p95), and each timed action (command + the frame that shows it).
# Usage: tests/bench/viewer_bench.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
out=${2:-$build/viewer_bench}
mkdir -p "$out"
cd "$out"
xvfb-run -a -s "-screen 0 1920x1080x24" "$build/plugin/viewer/stipple-viewer" \
    "$root/examples/natural.json" --size 1280x720 --msaa 4 \
    --script "$root/tests/bench/viewer_bench.json" --stats stats.json
python3 - stats.json <<'PY'
import json, statistics, sys
s = json.load(open(sys.argv[1]))
f, m = s["frame_ms"], s["marks"]
def stats(name, xs):
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
    print(f"{name:28s} n={len(xs):3d} median {statistics.median(xs):8.1f} ms  p95 {p95:8.1f} ms")
print(f"first frame (open demo)      {s['first_frame_ms']:.0f} ms  ({s['width']}x{s['height']})")
stats("orbit frame", f[m["orbit"]:m["still"]])
stats("still frame (full quality)", f[m["still"]:m["edits"]])
groups = {}
for a in s["actions"]:
    groups.setdefault(a["name"], []).append(a["ms"])
for name, xs in groups.items():
    stats(name, xs)
PY
