#!/usr/bin/env bash
# Runs the workbench under Xvfb (no display needed) on a short quick-preset run, with a memory
# sweep, and saves a screenshot of the window and of every view into docs/screenshots/ (or DIR).
# The window fills the screen, as on a first start. Besides the views at 1600x1000, it takes the
# whole window at a laptop's 1366x768 and a desktop's 1920x1080, in English and German, and at
# QT_SCALE_FACTOR=2 (a 1366x768 layout on a 2732x1536 screen).
# Usage: bash scripts/screenshots.sh [DIR] [--quick]   (build first: bash scripts/build.sh)
#   --quick: only the 1600x1000 set
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshots}
quick=false
[ "${2:-}" = "--quick" ] && quick=true
app=build/app/distillery
[ -x "$app" ] || { echo "screenshots.sh: $app not built (bash scripts/build.sh)" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "screenshots.sh: xvfb-run missing (apt-get install xvfb xauth)" >&2; exit 1; }
mkdir -p "$out"
# Experts shared by every shot, trained once (a few minutes the first time).
experts=${EXPERTS:-runs/experts/screenshots-quick}
runs=$(mktemp -d /tmp/distillery-screenshots.XXXXXX)
trap 'rm -rf "$runs"' EXIT

# shot SCREEN DIR [ARGS...]: 12 iterations of the quick preset with TESLA's teacher labels, so the
# soft-label view has something to show, then a sweep of every gradient mode at N = 2, 5 and 10.
shot() {
    local screen=$1 dir=$2
    shift 2
    mkdir -p "$dir"
    xvfb-run -a -s "-screen 0 ${screen}x24" "$app" --no-settings --preset quick --set label_mode=teacher \
        --experts "$experts" --runs "$runs" --screenshots "$dir" --screenshot-at 12 --sweep 2,5,10 "$@"
}
shot 1600x1000 "$out"
$quick && exit 0
for lang in en de; do
    for screen in 1366x768 1920x1080; do
        shot "$screen" "$runs/shot" --lang "$lang"
        cp "$runs/shot/workbench.png" "$out/workbench-$screen-$lang.png"
    done
done
QT_SCALE_FACTOR=2 shot 2732x1536 "$runs/shot"
cp "$runs/shot/workbench.png" "$out/workbench-1366x768-scale2.png"
