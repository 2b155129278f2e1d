#!/usr/bin/env bash
# The viewer's benchmark: tests/bench/viewer_bench.json replayed on the demo design at 1280x720
# with --msaa 4 (full quality 4x supersampled) under xvfb-run (llvmpipe), then a summary of
# --stats: first frame, orbit frames (interactive quality), full-quality frames, the time from
# the camera resting to the full frame, each timed action (command + the frame that shows it),
# and the CLI's 1080p frame time measured in the same run as the anchor.
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
# The anchor, in the same run: the CLI's 1080p frame (4x MSAA, the design's 4096 layers, PNG
# encoding on worker threads) as the difference of an 8- and a 2-frame turntable, over 6.
cli() {
    local start end
    start=$(date +%s.%N)
    "$build/renderer/cli/stipple" render "$root/examples/natural.json" --turntable "$1" \
        --no-top-view -o "$out/cli_$1" --force > /dev/null
    end=$(date +%s.%N)
    python3 -c "print($end - $start)"
}
t2=$(cli 2)
t8=$(cli 8)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - stats.json "$t2" "$t8" <<'PY'
import json, statistics, sys
s = json.load(open(sys.argv[1]))
cli_ms = (float(sys.argv[3]) - float(sys.argv[2])) / 6 * 1000
f, d, m, cpu = s["frame_ms"], s["frame_draw"], s["marks"], s["frame_cpu_ms"]
def stats(name, xs, cpus=None):
    xs = sorted(xs)
    if not xs:
        print(f"{name:34s} none")
        return None
    p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
    med = statistics.median(xs)
    extra = f"  (process CPU median {statistics.median(cpus):7.1f} ms)" if cpus else ""
    print(f"{name:34s} n={len(xs):3d} median {med:8.1f} ms  p95 {p95:8.1f} ms{extra}")
    return med
print(f"window {s['width']}x{s['height']}; frames drawn: {d}")
print(f"open demo -> first frame (interactive) {s['first_frame_ms']:.0f} ms")
print(f"open demo -> first full-quality frame  {s['first_full_frame_ms']:.0f} ms")
span = range(m["orbit"], m["edits"])
stats("orbit frame (interactive)", [f[i] for i in span if d[i] == "i"],
      [cpu[i] for i in span if d[i] == "i"])
full = stats("full-quality frame", [x for x, c in zip(f, d) if c == "f"],
             [x for x, c in zip(cpu, d) if c == "f"])
stats("camera rests -> full frame shown", s["refine_ms"])
groups = {}
for a in s["actions"]:
    groups.setdefault(a["name"], []).append(a["ms"])
for name, xs in groups.items():
    stats(name, xs)
print(f"anchor: CLI 1080p frame {cli_ms:.0f} ms; viewer full-quality 1280x720 frame / anchor = "
      f"{full / cli_ms:.2f}")
PY
