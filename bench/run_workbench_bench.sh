#!/usr/bin/env bash
# How much the workbench's live views cost: the same run (preset, seed, iterations) headless
# through distillery-cli and in the workbench with every view live (under Xvfb), on an otherwise
# idle machine. Step times on a shared 2-core machine drift by tens of percent from one minute to
# the next, so the two are interleaved: --rounds pairs, each a headless and a workbench run back to
# back (the order alternating). It prints every pair's median step times and ratio, the median of
# the ratios, and the UI thread's own CPU time (the views' cost, free of that drift). A last
# workbench run with the UI stall probe gives the longest UI-thread stall (a 10 ms precise
# timer's lateness; see app/workbench/ui_stall_probe.h).
#
# Usage: bench/run_workbench_bench.sh [--preset quick] [--iterations 40] [--rounds 3] [--warmup 3] [--out DIR]
# Environment: BUILD_DIR (default <repo>/build).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-$root/build}
preset=quick iterations=40 rounds=3 warmup=3 out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --preset) preset=$2 ;;
        --iterations) iterations=$2 ;;
        --warmup) warmup=$2 ;;
        --rounds) rounds=$2 ;;
        --out) out=$2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "run_workbench_bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
cli="$build/app/distillery-cli" app="$build/app/distillery"
for b in "$cli" "$app"; do [ -x "$b" ] || { echo "run_workbench_bench.sh: $b not built" >&2; exit 1; }; done
command -v xvfb-run >/dev/null || { echo "run_workbench_bench.sh: xvfb-run missing" >&2; exit 1; }
[ -n "$out" ] || out=$(mktemp -d /tmp/workbench_bench.XXXXXX)
mkdir -p "$out"
cd "$root"
experts="$root/runs/experts/bench-$preset"  # one folder for both, trained once

# No evaluation during the run, a tiny final one: this measures the distillation steps.
sets=(--set Iteration=100000 --set eval_it=0 --set num_eval=1 --set epoch_eval_train=1)
echo "== experts for $preset (trained once if missing)"
"$cli" experts --preset "$preset" --experts "$experts" --quiet >/dev/null
headless() {
    echo "== round $1: headless (distillery-cli distill), $iterations iterations"
    "$cli" distill --preset "$preset" "${sets[@]}" --experts "$experts" --iterations "$iterations" --out "$out/cli$1" --quiet >/dev/null
}
workbench() {
    # Without the stall probe: its 10 ms timer wakes the UI thread 100 times a second, which the
    # headless run does not have.
    echo "== round $1: workbench, every view live, $iterations iterations"
    xvfb-run -a -s "-screen 0 1600x1000x24" "$app" --no-settings --preset "$preset" "${sets[@]}" --experts "$experts" --runs "$out/runs" \
        --quit-after "$iterations" --measure "$out/workbench$1.json" --no-stall-probe
}
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then headless "$round"; workbench "$round"
    else workbench "$round"; headless "$round"; fi
done
echo "== workbench with the UI stall probe, $iterations iterations"
xvfb-run -a -s "-screen 0 1600x1000x24" "$app" --no-settings --preset "$preset" "${sets[@]}" --experts "$experts" --runs "$out/runs" \
    --quit-after "$iterations" --measure "$out/workbench_stalls.json"

/usr/bin/python3 - "$out" "$warmup" "$rounds" <<'PY'
import csv, json, statistics, sys
out, warmup, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
print(f"\n| round | headless median s/step | workbench median s/step | ratio | UI thread CPU |\n|---|---:|---:|---:|---:|")
ratios = []
for r in range(1, rounds + 1):
    cli = [float(x["seconds"]) for x in csv.DictReader(open(f"{out}/cli{r}/metrics.csv")) if x["kind"] == "step"][warmup:]
    wb = json.load(open(f"{out}/workbench{r}.json"))
    mc, ma = statistics.median(cli), statistics.median(wb["step_seconds"][warmup:])
    ratios.append(ma / mc)
    cpu = 100 * wb["ui_thread_cpu_s"] / wb["run_wall_s"] if wb["run_wall_s"] > 0 else 0
    print(f"| {r} | {mc:.3f} | {ma:.3f} | {ma / mc:.3f} | {wb['ui_thread_cpu_s']:.2f} s in {wb['run_wall_s']:.0f} s ({cpu:.1f} % of a core) |")
print(f"engine slowdown in the workbench, median of the {rounds} rounds' ratios: {100 * (statistics.median(ratios) - 1):+.1f} % "
      f"(rounds from {100 * (min(ratios) - 1):+.1f} % to {100 * (max(ratios) - 1):+.1f} %)")
st = json.load(open(f"{out}/workbench_stalls.json"))
print(f"UI thread with the stall probe: longest stall {st['ui_longest_stall_ms']:.1f} ms "
      f"({st['ui_longest_stall_at_s']:.1f} s after the run started), p99 {st['ui_stall_p99_ms']:.1f} ms, "
      f"{st['ui_ticks_over_50ms']} of {st['ui_ticks']} ticks over 50 ms")
# The views must have drawn: a view that only receives data costs nothing and proves nothing.
for r in range(1, rounds + 1):
    views = json.load(open(f"{out}/workbench{r}.json"))["views"]
    print(f"round {r} views (redraws, shown): " + ", ".join(f"{k} {v['redraws']}, {v['shown']}" for k, v in sorted(views.items())))
PY
echo "Results in $out"
