#!/usr/bin/env bash
# The demo, from nothing: installs packages, builds, and runs Stipple on the bundled mannequin
# with the bundled example design. Outputs go to out/demo/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh"
stipple="$root/build/renderer/cli/stipple"
design="$root/examples/natural.json"
out="$root/out/demo"
mkdir -p "$out"
"$stipple" inspect "$root/meshes/mannequin.glb" --design "$design"
# Stills (front, three-quarter, side, top: the design's views) with before/after, then the
# turntable as PNG frames, MP4, GIF and a contact sheet, with the design's disclaimer.
"$stipple" render "$design" -o "$out/stills" --before-after --force
# Close-ups for practitioners: the front hairline with the temple, and the crown.
"$stipple" render "$design" -o "$out/closeups" --view hairline_closeup --view crown_closeup \
    --before-after --force
"$stipple" render "$design" -o "$out/turntable" --turntable 36 --mp4 --gif --contact-sheet \
    --size 1280x720 --force
echo "demo: outputs in $out (stills/, turntable/: turntable.mp4, turntable.gif, contact_sheet.png)"
