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
