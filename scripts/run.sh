#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install what is needed, build, and open the workbench
# on the embedded default data set (Fashion-MNIST, from Debian's dataset-fashion-mnist) with the
# quick preset, ready to start. Arguments go to the workbench, e.g. --preset fashion-mnist-ipc1-quick
# or --start. `bash scripts/run.sh --cli` runs the same job without a window (distillery-cli demo).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
bash scripts/build.sh
if [ "${1:-}" = "--cli" ]; then
    shift
    exec ./build/app/distillery-cli demo "$@"
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "run.sh: no display here. Run this on a desktop, or: xvfb-run -a bash scripts/run.sh," >&2
    echo "        or without a window: bash scripts/run.sh --cli" >&2
    exit 1
fi
exec ./build/app/distillery "$@"
