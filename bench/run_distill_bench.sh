#!/usr/bin/env bash
# The distillation benchmark in one go: first the PyTorch (Python) version of the unrolled MTT
# iteration, then bench_distill (all three gradient modes), one after the other on this machine,
# and bench_distill prints the C++/Python time ratio of the unrolled iteration for each N.
#
# Usage: bench/run_distill_bench.sh [--width 128] [--steps 10,20,40,80] [--reps 3] [--batch 100]
#                                   [--modes unrolled,tesla,exact] [--out DIR]
# Environment: BUILD_DIR (default <repo>/build), PYTHON (default /usr/bin/python3, Debian's
# interpreter with python3-torch), DISTILLERY_THREADS (threads for both sides; default all cores).
# Results: DIR/python.json, DIR/cpp.json and DIR/report.md (DIR defaults to a fresh temporary folder).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-$root/build}
python=${PYTHON:-/usr/bin/python3}
width=128 steps=10,20,40,80 reps=3 batch=100 modes=unrolled,tesla,exact out=""

while [ $# -gt 0 ]; do
    case "$1" in
        --width) width=$2 ;;
        --steps) steps=$2 ;;
        --reps) reps=$2 ;;
        --batch) batch=$2 ;;
        --modes) modes=$2 ;;
        --out) out=$2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "run_distill_bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done

bench="$build/bench/bench_distill"
[ -x "$bench" ] || { echo "run_distill_bench.sh: $bench not built (ninja -C $build bench_distill)" >&2; exit 1; }
"$python" -c 'import torch' 2>/dev/null || { echo "run_distill_bench.sh: $python cannot import torch (set PYTHON)" >&2; exit 1; }
[ -n "$out" ] || out=$(mktemp -d /tmp/distill_bench.XXXXXX)
mkdir -p "$out"

echo "== PyTorch (Python), unrolled: width $width, N $steps, $reps reps"
"$python" "$here/python/distill_iteration.py" --width "$width" --steps "$steps" --reps "$reps" --batch "$batch" \
    --json "$out/python.json" | tee "$out/python.md"
echo
echo "== bench_distill (C++): width $width, N $steps, modes $modes, $reps reps"
"$bench" --width "$width" --steps "$steps" --reps "$reps" --batch "$batch" --modes "$modes" \
    --json "$out/cpp.json" --python-json "$out/python.json" | tee "$out/report.md"
echo
echo "Results in $out"
