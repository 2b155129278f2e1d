#!/usr/bin/env bash
# Installs every Debian 12 package Stipple needs. Idempotent: when everything is present it
# returns in well under a second and touches nothing; `apt-get update` runs only when a
# package is missing.
set -euo pipefail

PACKAGES=(
    build-essential cmake ninja-build ccache pkg-config clang-format
    clang libclang-rt-14-dev
    libassimp-dev libglm-dev libstb-dev nlohmann-json3-dev libcli11-dev libssl-dev libpng-dev
    libgtest-dev libbenchmark-dev
    libopenscenegraph-dev libegl-dev libgl-dev libgl1-mesa-dri libegl-mesa0
    libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libgif-dev
    libimgui-dev xvfb xauth  # the viewer; xvfb-run runs it and Blender's Eevee in the tests
)
# The Blender add-on's tests (tests/blender) run in Debian's Blender 3.4, whose Python needs
# numpy (xvfb, above, gives Eevee a display). STIPPLE_BUILD_BLENDER=OFF leaves them out.
if [[ ${STIPPLE_BUILD_BLENDER:-ON} != OFF ]]; then
    PACKAGES+=(blender python3-numpy)
fi

missing=()
for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
