#!/usr/bin/env bash
# Runs the workbench under Xvfb (no display needed) on a short quick-preset run, with a memory
# sweep, and saves a screenshot of the window and of every view into docs/screenshots/ (or DIR).
# Usage: bash scripts/screenshots.sh [DIR] [--lang de]   (build first: bash scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshots}
shift || true
app=build/app/distillery
[ -x "$app" ] || { echo "screenshots.sh: $app not built (bash scripts/build.sh)" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "screenshots.sh: xvfb-run missing (apt-get install xvfb xauth)" >&2; exit 1; }
mkdir -p "$out"
# 12 iterations of the quick preset with TESLA's teacher labels, so the soft-label view has
# something to show (its experts are trained first if missing, a few minutes), then a sweep of
# every gradient mode at N = 2, 5 and 10, then the screenshots.
xvfb-run -a -s "-screen 0 1600x1000x24" "$app" --no-settings --preset quick --set label_mode=teacher \
    --screenshots "$out" --screenshot-at 12 --sweep 2,5,10 "$@"
