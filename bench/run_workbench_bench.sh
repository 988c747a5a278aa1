#!/usr/bin/env bash
# How much the workbench's live views cost: the same run (preset, seed, iterations) once headless
# through distillery-cli and once in the workbench with every view live (under Xvfb), one after the
# other on an otherwise idle machine. Prints the median engine step time of both (the first
# iterations are left out as warm-up), their ratio, and, from a second workbench run, the longest
# UI-thread stall (a 10 ms precise timer's lateness; see app/workbench/ui_stall_probe.h).
#
# Usage: bench/run_workbench_bench.sh [--preset quick] [--iterations 40] [--warmup 3] [--out DIR]
# Environment: BUILD_DIR (default <repo>/build).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-$root/build}
preset=quick iterations=40 warmup=3 out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --preset) preset=$2 ;;
        --iterations) iterations=$2 ;;
        --warmup) warmup=$2 ;;
        --out) out=$2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "run_workbench_bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
cli="$build/app/distillery-cli" app="$build/app/distillery"
for b in "$cli" "$app"; do [ -x "$b" ] || { echo "run_workbench_bench.sh: $b not built" >&2; exit 1; }; done
command -v xvfb-run >/dev/null || { echo "run_workbench_bench.sh: xvfb-run missing" >&2; exit 1; }
[ -n "$out" ] || out=$(mktemp -d /tmp/workbench_bench.XXXXXX)
mkdir -p "$out"
cd "$root"  # both find the preset's experts in runs/experts/...

# A tiny final evaluation: this measures the distillation steps, not the evaluation.
sets=(--set Iteration=100000 --set num_eval=1 --set epoch_eval_train=1)
echo "== experts for $preset (trained once if missing)"
"$cli" experts --preset "$preset" --quiet >/dev/null
echo "== headless: distillery-cli distill, $iterations iterations"
"$cli" distill --preset "$preset" "${sets[@]}" --iterations "$iterations" --out "$out/cli" --quiet >/dev/null
# Two workbench runs: the engine's step times without the stall probe (its 10 ms timer wakes the
# UI thread 100 times a second, which the CLI run does not have), then the UI stalls with it.
echo "== workbench: every view live, $iterations iterations (step times)"
xvfb-run -a -s "-screen 0 1600x1000x24" "$app" --no-settings --preset "$preset" "${sets[@]}" \
    --quit-after "$iterations" --measure "$out/workbench.json" --no-stall-probe
echo "== workbench: every view live, $iterations iterations (UI stalls)"
xvfb-run -a -s "-screen 0 1600x1000x24" "$app" --no-settings --preset "$preset" "${sets[@]}" \
    --quit-after "$iterations" --measure "$out/workbench_stalls.json"

/usr/bin/python3 - "$out" "$warmup" <<'PY'
import csv, json, statistics, sys
out, warmup = sys.argv[1], int(sys.argv[2])
cli = [float(r["seconds"]) for r in csv.DictReader(open(f"{out}/cli/metrics.csv")) if r["kind"] == "step"][warmup:]
app = json.load(open(f"{out}/workbench.json"))["step_seconds"][warmup:]
wb = json.load(open(f"{out}/workbench_stalls.json"))
probed = wb["step_seconds"][warmup:]
mc, ma = statistics.median(cli), statistics.median(app)
print(f"\nsteps compared: {len(cli)} headless, {len(app)} in the workbench (first {warmup} left out)")
print(f"| run | median s/step | mean s/step |\n|---|---:|---:|")
print(f"| headless (distillery-cli) | {mc:.3f} | {statistics.mean(cli):.3f} |")
print(f"| workbench, views live | {ma:.3f} | {statistics.mean(app):.3f} |")
print(f"engine slowdown in the workbench: {100 * (ma / mc - 1):+.1f} % (median), {100 * (statistics.mean(app) / statistics.mean(cli) - 1):+.1f} % (mean)")
print(f"with the stall probe running: median {statistics.median(probed):.3f} s/step ({100 * (statistics.median(probed) / mc - 1):+.1f} %)")
print(f"UI thread: longest stall {wb['ui_longest_stall_ms']:.1f} ms, p99 {wb['ui_stall_p99_ms']:.1f} ms, "
      f"{wb['ui_ticks_over_50ms']} of {wb['ui_ticks']} ticks over 50 ms")
PY
echo "Results in $out"
