#!/usr/bin/env bash
# Runs one section of tests/blender/addon_test.py in real Blender with a fresh, empty user
# scripts folder (so the add-on is installed from the zip as a user would, and nothing of the
# user's own Blender set-up is read). The eevee section runs under xvfb-run when it is
# installed (a real X display for Blender's GL context; Blender 3.4 also renders Eevee without
# one on Mesa, so it runs plainly otherwise).
#   run_blender_test.sh SECTION ZIP SOURCE_DIR SHARED_HEADS OUTPUT_DIR STIPPLE_EXE
set -euo pipefail
abs() { realpath -m "$1"; }
section=$1 zip=$(abs "$2") src=$(abs "$3") heads=$(abs "$4") out=$(abs "$5") exe=$(abs "$6")
rm -rf "$out"
mkdir -p "$out/user_scripts"
export BLENDER_USER_SCRIPTS="$out/user_scripts"
cmd=(blender -b --factory-startup -noaudio --python-exit-code 1
     --python "$src/tests/blender/addon_test.py" -- "$section" "$zip" "$src" "$heads" "$out" "$exe")
if [[ $section == eevee ]] && command -v xvfb-run >/dev/null; then
    cmd=(xvfb-run -a -s "-screen 0 1280x1024x24" "${cmd[@]}")
fi
cd "$out"
exec "${cmd[@]}"
