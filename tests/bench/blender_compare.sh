#!/usr/bin/env bash
# Stipple against Blender 3.4 (Eevee and Cycles) on the same job, in one run, back to back:
# 36 turntable frames of the bundled mannequin with examples/natural.json at 1920x1080, written
# as PNGs. A benchmark, not a test (not in CTest); results go to docs/benchmarks.md.
#
#   bash tests/bench/blender_compare.sh [OUT_DIR]
#
# Environment: STIPPLE_EXE (default build/renderer/cli/stipple), EEVEE_FRAMES (frames Eevee
# renders, default 3), CYCLES_FRAMES (default 3), CYCLES_SAMPLES (default 32),
# CYCLES_DENOISE (off|oidn, default off), EEVEE_SAMPLES (0 = Blender's default, 64),
# EEVEE_LOW_SAMPLES (a second Eevee run with this many samples, default 4; 0 skips it),
# THREADS (Blender's render threads, default 2).
# When an engine renders fewer than 36 frames, the frames are spread over the turn and the
# 36-frame time is extrapolated: (process time outside the frames) + first frame + 35 x the
# mean of the later frames (the first frame carries shader compilation and scene sync).
# Installs nothing: exits 2 and says what to install when blender is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/stipple_blender_compare}
stipple=${STIPPLE_EXE:-$root/build/renderer/cli/stipple}
eevee_frames=${EEVEE_FRAMES:-3}
cycles_frames=${CYCLES_FRAMES:-3}
cycles_samples=${CYCLES_SAMPLES:-32}
cycles_denoise=${CYCLES_DENOISE:-off}
eevee_samples=${EEVEE_SAMPLES:-0}
eevee_low_samples=${EEVEE_LOW_SAMPLES:-4}
threads=${THREADS:-2}
design=$root/examples/natural.json
frames=36
size=1920x1080

if ! command -v blender >/dev/null; then
    echo "blender_compare.sh: 'blender' is not installed. On Debian 12:" >&2
    echo "    sudo apt-get install blender xvfb" >&2
    exit 2
fi
if ! /usr/bin/python3 -c "import numpy" 2>/dev/null; then
    # Debian's blender embeds the system Python 3.11 (/usr/bin/python3); its glTF importer
    # needs numpy.
    echo "blender_compare.sh: Blender's glTF importer needs numpy. On Debian 12:" >&2
    echo "    sudo apt-get install python3-numpy" >&2
    exit 2
fi
if [[ ! -x $stipple ]]; then
    echo "blender_compare.sh: no stipple executable at $stipple;" \
        "build it (bash scripts/build.sh) or set STIPPLE_EXE" >&2
    exit 2
fi
if [[ -e $out ]]; then
    echo "blender_compare.sh: $out exists; remove it or pass another OUT_DIR" >&2
    exit 2
fi
mkdir -p "$out"

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }
# Evenly spread frame indices: spread N -> "0,12,24" for N=3 of 36.
spread() { python3 -c "import sys; n=int(sys.argv[1]); print(','.join(str(i*$frames//n) for i in range(n)))" "$1"; }

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "blender: $(blender --version 2>/dev/null | head -1)"
    echo "stipple: $("$stipple" --version 2>/dev/null || echo unknown)"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/machine.txt"

# 1. Bake once: the GLB with the chart UVs and the flattened albedo Blender will render.
echo "== bake"
t0=$(now)
"$stipple" bake "$design" -o "$out/bake" > "$out/bake.log"
t1=$(now)
echo "bake: $(elapsed "$t0" "$t1") s"

# 2. Stipple's turntable (the whole process: load, dots, layers, 36 frames, PNGs).
echo "== stipple render"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
TIMEFORMAT="%R %U %S"
{ time "$stipple" render "$design" -o "$out/stipple" --turntable $frames --size $size --json \
    > "$out/stipple.json"; } 2> "$out/stipple.time"
read -r st_real st_user st_sys < <(tail -1 "$out/stipple.time")
echo "stipple: wall $st_real s, user $st_user s, sys $st_sys s"

# 3. Blender, one engine per process (timed from outside, frames timed inside).
# The chart albedo through the second UV set (TEXCOORD_1): the scalp gets ~3x the texels it
# has in the mannequin's own UVs (albedo_flat.png), closest to Stipple's chart-space layers.
albedo=$out/bake/albedo_chart.png
blender_run() { # name engine count extra-args...
    local name=$1 engine=$2 count=$3
    shift 3
    local dir=$out/$name
    mkdir -p "$dir"
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
    local args=(-b --factory-startup -noaudio -P "$root/tests/bench/blender_turntable.py" --
        --glb "$out/bake/head_chart.glb" --albedo "$albedo" --uv 1 --engine "$engine"
        --out "$dir" --frames $frames --render "$(spread "$count")" --threads "$threads"
        --timing "$dir/timing.json" "$@")
    # bash's time: wall, user, sys of the whole blender process (all threads).
    TIMEFORMAT="%R %U %S"
    if { time blender "${args[@]}" > "$dir/blender.log" 2>&1; } 2> "$dir/process.time" \
        && [[ -f $dir/timing.json ]]; then
        echo "$name: ran under 'blender -b' ($(grep -m1 -o 'surfaceless EGL' "$dir/blender.log" \
            || echo 'no EGL note'))" | tee -a "$out/machine.txt"
    elif [[ $engine == eevee ]] && command -v xvfb-run >/dev/null; then
        echo "$name: 'blender -b' failed (see $dir/blender.log); retrying under xvfb-run" \
            | tee -a "$out/machine.txt"
        { time xvfb-run -a -s "-screen 0 1920x1080x24" blender "${args[@]}" \
            > "$dir/blender_xvfb.log" 2>&1; } 2> "$dir/process.time"
    else
        echo "$engine: blender failed; see $dir/blender.log" >&2
        exit 1
    fi
    echo "$name: $count frames, process wall/user/sys $(tail -1 "$dir/process.time") s"
}
echo "== blender eevee"
eevee_extra=()
[[ $eevee_samples != 0 ]] && eevee_extra=(--samples "$eevee_samples")
blender_run eevee eevee "$eevee_frames" "${eevee_extra[@]}"
if [[ $eevee_low_samples != 0 ]]; then
    echo "== blender eevee, $eevee_low_samples samples (the sample count of Stipple's 4x MSAA)"
    blender_run eevee_low eevee "$eevee_frames" --samples "$eevee_low_samples"
fi
echo "== blender cycles"
blender_run cycles cycles "$cycles_frames" --samples "$cycles_samples" --denoise "$cycles_denoise"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"

# 4. The table.
python3 - "$out" <<'EOF' | tee "$out/table.md"
import json, os, sys
out = sys.argv[1]

def processTime(path):
    real, user, sys_ = map(float, open(path).read().split()[-3:])
    return real, user + sys_

st_wall, st_cpu = processTime(f"{out}/stipple.time")
summary = json.load(open(f"{out}/stipple.json"))
timing = summary.get("timing", {})
rows = [("Stipple (llvmpipe, 4x MSAA)", 36, st_wall, st_cpu, st_wall, st_cpu)]
notes = [f"stipple: its own timing: render {timing.get('render_s', 0):.1f} s, "
         f"total {timing.get('total_s', 0):.1f} s (wall)"]


def extrapolate(process, frames):
    # process time outside the frames + first frame + 35 x the mean of the later frames.
    n = len(frames)
    if n == 36:
        return process
    later = sum(frames[1:]) / (n - 1) if n > 1 else frames[0]
    return process - sum(frames) + frames[0] + 35 * later


for name in ("eevee", "eevee_low", "cycles"):
    if not os.path.exists(f"{out}/{name}/timing.json"):
        continue
    rec = json.load(open(f"{out}/{name}/timing.json"))
    engine = rec["engine"]
    wall, cpu = processTime(f"{out}/{name}/process.time")
    fw = [f["seconds"] for f in rec["frames"]]
    fc = [f["cpu_seconds"] for f in rec["frames"]]
    s = rec["settings"]
    label = ("Blender %s Eevee (%d samples)" % (rec["blender"], s["samples"]) if engine == "eevee"
             else "Blender %s Cycles CPU (%d samples, denoise %s, %d threads)"
             % (rec["blender"], s["samples"], s["denoise"], s["threads"]))
    rows.append((label, len(fw), wall, cpu, extrapolate(wall, fw), extrapolate(cpu, fc)))
    notes.append(f"{name}: setup {rec['setup_s']:.1f} s wall / {rec['setup_cpu_s']:.1f} s CPU; "
                 "frames (wall/CPU s): "
                 + ", ".join(f"#{f['index']} {f['seconds']:.1f}/{f['cpu_seconds']:.1f}"
                             for f in rec["frames"]))
print("| engine | frames rendered | wall s | CPU s | wall s/frame | CPU s/frame "
      "| 36 frames, wall s | 36 frames, CPU s | ratio to Stipple (wall / CPU) |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for label, n, wall, cpu, w36, c36 in rows:
    est = "" if n == 36 else " (extrap.)"
    print(f"| {label} | {n} | {wall:.1f} | {cpu:.1f} | {wall / n:.2f} | {cpu / n:.2f} "
          f"| {w36:.0f}{est} | {c36:.0f}{est} | {w36 / rows[0][4]:.1f}x / {c36 / rows[0][5]:.1f}x |")
print()
for n in notes:
    print(f"- {n}")
EOF
