#!/usr/bin/env bash
# Soak: thousands of distillation steps of the quick preset through distillery-cli (checkpoints
# every 10 steps, as by default), with the process's resident memory (VmRSS) sampled from /proc
# every few seconds. A leak in the engine, the optimisers, the records or the checkpoint writer
# shows as RSS that keeps growing; the goal is RSS flat within 2 % from the end of the warm-up
# (the first 10 % of the steps) to the last step. The run gives its freed memory back every 10
# steps (DistillRun::step), so a single sample lands anywhere between the trimmed size and the
# full working set of a step; the growth is therefore judged on the peak RSS of the first tenth of
# the steps after the warm-up against the peak of the last tenth (first and last samples shown too).
#
# To make thousands of steps fit in minutes on two CPU cores, the student takes fewer steps on a
# smaller synthetic batch than the quick preset's (--syn-steps, --batch-syn); every code path of a
# step is the same. Resident memory does not depend on what else the machine runs, so this needs
# no idle machine.
#
# Usage: bench/run_soak_bench.sh [--iterations 3000] [--syn-steps 2] [--batch-syn 10]
#                                [--mode exact] [--interval 2] [--out DIR]
# Environment: BUILD_DIR (default <repo>/build).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-$root/build}
iterations=3000 syn_steps=2 batch_syn=10 mode=exact interval=2 out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --iterations) iterations=$2 ;;
        --syn-steps) syn_steps=$2 ;;
        --batch-syn) batch_syn=$2 ;;
        --mode) mode=$2 ;;
        --interval) interval=$2 ;;
        --out) out=$2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "run_soak_bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
cli="$build/app/distillery-cli"
[ -x "$cli" ] || { echo "run_soak_bench.sh: $cli not built" >&2; exit 1; }
[ -n "$out" ] || out=$(mktemp -d /tmp/soak_bench.XXXXXX)
mkdir -p "$out"
cd "$root"  # the quick preset's experts live in runs/experts/...

echo "== experts for quick (trained once if missing)"
"$cli" experts --preset quick --quiet >/dev/null
echo "== soak: $iterations steps, gradient_mode=$mode, syn_steps=$syn_steps, batch_syn=$batch_syn"
"$cli" distill --preset quick --iterations "$iterations" --out "$out/run" \
    --set gradient_mode="$mode" --set syn_steps="$syn_steps" --set batch_syn="$batch_syn" \
    --set num_eval=1 --set epoch_eval_train=1 >"$out/cli.log" 2>&1 &
pid=$!
: >"$out/rss.csv"
echo "seconds,rss_kib,steps" >>"$out/rss.csv"
start=$(date +%s)
while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    # The progress lines (one every few seconds when not on a terminal): "distill [###...] 42% ...".
    pct=$(grep '^distill ' "$out/cli.log" 2>/dev/null | tail -n 1 | sed -n 's/.*\] *\([0-9]*\)%.*/\1/p' || true)
    steps=$(( ${pct:-0} * iterations / 100 ))
    [ -n "$rss" ] && echo "$(( $(date +%s) - start )),$rss,$steps" >>"$out/rss.csv"
    sleep "$interval"
done
wait "$pid" || { echo "run_soak_bench.sh: the run failed; see $out/cli.log" >&2; tail -20 "$out/cli.log" >&2; exit 1; }

/usr/bin/python3 - "$out" "$iterations" <<'PY'
import csv, sys
out, iterations = sys.argv[1], int(sys.argv[2])
rows = [(int(r["seconds"]), int(r["rss_kib"]), int(r["steps"])) for r in csv.DictReader(open(f"{out}/rss.csv"))]
# Samples taken while the steps ran: after the warm-up (10 % of the steps), before the evaluation.
steady = [r for r in rows if iterations // 10 <= r[2] < iterations]
if len(steady) < 20:
    sys.exit("run_soak_bench.sh: too few samples during the steps; lower --interval or run more steps")
tenth = max(len(steady) // 10, 2)
early, late = steady[:tenth], steady[-tenth:]
first, last = steady[0], steady[-1]
peak_early, peak_late = max(r[1] for r in early), max(r[1] for r in late)
low, high = min(r[1] for r in steady), max(r[1] for r in steady)
growth = 100.0 * (peak_late - peak_early) / peak_early
print(f"\nsamples: {len(rows)} ({len(steady)} between step {first[2]} and step {last[2]}), {rows[-1][0]} s in all")
print(f"| | steps | RSS MiB |\n|---|---:|---:|")
print(f"| first sample after warm-up | {first[2]} | {first[1] / 1024:.1f} |")
print(f"| last sample of the steps | {last[2]} | {last[1] / 1024:.1f} |")
print(f"| peak, first tenth after warm-up | {early[0][2]}-{early[-1][2]} | {peak_early / 1024:.1f} |")
print(f"| peak, last tenth | {late[0][2]}-{late[-1][2]} | {peak_late / 1024:.1f} |")
print(f"| lowest / highest sample during the steps | | {low / 1024:.1f} / {high / 1024:.1f} |")
print(f"RSS growth over the steps (peak of the last tenth against the first): {growth:+.2f} % (goal: within 2 %)")
PY
echo "Results in $out (rss.csv, run/metrics.csv)"
