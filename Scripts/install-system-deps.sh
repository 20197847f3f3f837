#!/usr/bin/env bash
# Installs the system libraries Diffuse links (zlib for PNG, libjpeg for JPEG input) where missing.
# Debian/Ubuntu only; a no-op when both are already found by pkg-config.
set -euo pipefail
missing=()
pkg-config --exists zlib 2>/dev/null || missing+=(zlib1g-dev)
pkg-config --exists libjpeg 2>/dev/null || missing+=(libjpeg-dev)
command -v pkg-config >/dev/null || missing+=(pkg-config)
if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
