#!/usr/bin/env bash
# The distillation benchmark in one go: first the PyTorch (Python) version of the unrolled MTT
# iteration, then bench_distill (all three gradient modes), one after the other on this machine,
# and bench_distill prints the C++/Python time ratio of the unrolled iteration for each N.
#
# With --rounds R > 1 the two run R times, interleaved (the order alternating), each round in
# DIR/roundK/, and a summary gives per N the exact/unrolled and C++/PyTorch ratios of each round
# and their medians: exact/unrolled from the repetitions, in which bench_distill runs the modes back
# to back; C++/PyTorch from the fastest repetition of each, the least disturbed on a shared
# machine. On a 2-core machine whose speed drifts by tens of percent, one pass cannot resolve a
# 1.3x goal. --device cuda runs both sides on the GPU (scripts/gpu-check.sh does).
#
# Usage: bench/run_distill_bench.sh [--width 128] [--steps 10,20,40,80] [--reps 3] [--batch 100]
#                                   [--modes unrolled,tesla,exact] [--rounds 1] [--device cpu|cuda] [--out DIR]
# Environment: BUILD_DIR (default <repo>/build), PYTHON (default /usr/bin/python3, Debian's
# interpreter with python3-torch), DISTILLERY_THREADS (threads for both sides; default all cores).
# Results: DIR/python.json, DIR/cpp.json and DIR/report.md (DIR defaults to a fresh temporary folder).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-$root/build}
python=${PYTHON:-/usr/bin/python3}
width=128 steps=10,20,40,80 reps=3 batch=100 modes=unrolled,tesla,exact rounds=1 device=cpu out=""

while [ $# -gt 0 ]; do
    case "$1" in
        --width) width=$2 ;;
        --steps) steps=$2 ;;
        --reps) reps=$2 ;;
        --batch) batch=$2 ;;
        --modes) modes=$2 ;;
        --rounds) rounds=$2 ;;
        --device) device=$2 ;;
        --out) out=$2 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "run_distill_bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done

bench="$build/bench/bench_distill"
[ -x "$bench" ] || { echo "run_distill_bench.sh: $bench not built (ninja -C $build bench_distill)" >&2; exit 1; }
"$python" -c 'import torch' 2>/dev/null || { echo "run_distill_bench.sh: $python cannot import torch (set PYTHON)" >&2; exit 1; }
[ -n "$out" ] || out=$(mktemp -d /tmp/distill_bench.XXXXXX)
mkdir -p "$out"

python_side() {
    echo "== PyTorch (Python), unrolled: width $width, N $steps, $reps reps"
    "$python" "$here/python/distill_iteration.py" --width "$width" --steps "$steps" --reps "$reps" --batch "$batch" \
        --device "$device" --json "$1/python.json" | tee "$1/python.md"
    echo
}
cpp_side() {
    echo "== bench_distill (C++): width $width, N $steps, modes $modes, $reps reps"
    local py=()
    [ -f "$1/python.json" ] && py=(--python-json "$1/python.json")
    "$bench" --width "$width" --steps "$steps" --reps "$reps" --batch "$batch" --modes "$modes" --device "$device" \
        --json "$1/cpp.json" "${py[@]}" | tee "$1/report.md"
    echo
}
if [ "$rounds" -le 1 ]; then
    python_side "$out"
    cpp_side "$out"
    echo "Results in $out"
    exit 0
fi
for round in $(seq 1 "$rounds"); do
    dir="$out/round$round"
    mkdir -p "$dir"
    echo "==== round $round of $rounds"
    if [ $((round % 2)) -eq 1 ]; then python_side "$dir"; cpp_side "$dir"
    else cpp_side "$dir"; python_side "$dir"; fi
done
"$python" - "$out" "$rounds" <<'PY' | tee "$out/summary.md"
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def fastest(path):
    return {(r["mode"], r["N"]): min(r["times"]) for r in json.load(open(path))["results"]}
def paired(path, mode, n):
    t = {(r["mode"], r["N"]): r["times"] for r in json.load(open(path))["results"]}
    if (mode, n) not in t or ("unrolled", n) not in t:
        return None
    return statistics.median(a / b for a, b in zip(t[(mode, n)], t[("unrolled", n)]))
cpp = [fastest(f"{out}/round{k}/cpp.json") for k in range(1, rounds + 1)]
py = [fastest(f"{out}/round{k}/python.json") for k in range(1, rounds + 1)]
steps = sorted({n for (m, n) in cpp[0]})
print("exact / unrolled: per round, the median of the per-repetition ratios (bench_distill runs the")
print("modes back to back in every repetition); C++ / PyTorch: per round, the fastest repetition of")
print("each (separate processes); then the median of the rounds\n")
print("| N | exact / unrolled | median | C++ / PyTorch (unrolled) | median |\n|---:|---|---:|---|---:|")
for n in steps:
    ex = [x for x in (paired(f"{out}/round{k}/cpp.json", "exact", n) for k in range(1, rounds + 1)) if x is not None]
    cp = [c[("unrolled", n)] / p[("unrolled", n)] for c, p in zip(cpp, py) if ("unrolled", n) in c and ("unrolled", n) in p]
    f = lambda v: ", ".join(f"{x:.2f}" for x in v) if v else "-"
    m = lambda v: f"{statistics.median(v):.2f}" if v else "-"
    print(f"| {n} | {f(ex)} | {m(ex)} | {f(cp)} | {m(cp)} |")
PY
echo "Results in $out"
