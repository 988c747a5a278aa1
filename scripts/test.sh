#!/usr/bin/env bash
# Installs what is needed, builds, and runs the whole test suite (Qt Test through CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
bash scripts/build.sh
cd build
ctest --output-on-failure --timeout 900 "$@"
