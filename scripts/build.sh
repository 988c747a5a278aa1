#!/usr/bin/env bash
# Configures and builds Distillery into build/ (Release, Ninja). Extra arguments go to cmake,
# e.g. -DDISTILLERY_WITH_QT=OFF -DDISTILLERY_WITH_OPENCV=OFF for an engine-and-CLI-only build.
set -euo pipefail
cd "$(dirname "$0")/.."
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
elif [ $# -gt 0 ]; then
  cmake -S . -B build "$@"
fi
cmake --build build --parallel "$(nproc)"
