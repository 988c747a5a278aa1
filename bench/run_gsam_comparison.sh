#!/usr/bin/env bash
# The same distillation on plain SGD experts and on GSAM experts (DATM's, spec 3.3): the experts
# of both kinds trained with the same count, epochs and seed, then one `distill` on each with the
# same settings and seed, each synthetic set evaluated with the same protocol, beside a random real
# subset. The arms run one after the other, never together: two LibTorch processes on 2 cores slow
# each other by up to 10x.
#
# Usage: bench/run_gsam_comparison.sh [--ipc 10] [--experts 5] [--epochs 10] [--iterations 200]
#                                     [--networks 5] [--eval-epochs 300] [--out DIR]
# Environment: BUILD_DIR (default <repo>/build).
# Results: DIR/<arm>/ (experts, run folder, log) and DIR/report.md, a table for docs/results.md.
# Experts already in DIR/<arm>/ from an earlier run (with its expert_seconds) are reused.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cli=${BUILD_DIR:-$root/build}/app/distillery-cli
ipc=10 experts=5 epochs=10 iterations=200 networks=5 eval_epochs=300 out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --ipc) ipc=$2 ;;
        --experts) experts=$2 ;;
        --epochs) epochs=$2 ;;
        --iterations) iterations=$2 ;;
        --networks) networks=$2 ;;
        --eval-epochs) eval_epochs=$2 ;;
        --out) out=$2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "run_gsam_comparison.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
out=${out:-$(mktemp -d)}
mkdir -p "$out"

# The quick preset's data, network and distillation, with the start epochs fitted to the experts.
common=(--preset quick --quiet --ipc "$ipc" --set "num_experts=$experts" --set "train_epochs=$epochs"
        --set "max_start_epoch=$((epochs - 2))" --set "num_eval=$networks" --set "epoch_eval_train=$eval_epochs"
        --set eval_it=0)

for arm in sgd gsam; do
    dir="$out/$arm"
    mkdir -p "$dir"
    # Experts of an earlier run of this script (DIR/<arm>/experts, experts.csv and expert_seconds
    # copied over) are kept, so another IPC compares on the same experts.
    if [ ! -f "$dir/expert_seconds" ]; then
        start=$(date +%s.%N)
        "$cli" experts "${common[@]}" --set "expert_optimizer=$arm" --experts "$dir/experts" --metrics "$dir/experts.csv" \
            > "$dir/experts.log" 2>&1
        end=$(date +%s.%N)
        awk "BEGIN { print $end - $start }" > "$dir/expert_seconds"
    fi
    "$cli" distill "${common[@]}" --set "expert_optimizer=$arm" --experts "$dir/experts" --iterations "$iterations" \
        --out "$dir/run" > "$dir/distill.log" 2>&1
    echo "$arm: done ($(cat "$dir/expert_seconds") s of expert training)"
done

# One row per arm: the experts' final test accuracy, their training time, the synthetic set's
# accuracy and the random real subset's, from the files the CLI wrote.
{
    echo "| experts | expert test accuracy (mean) | expert training | synthetic set, test accuracy | random real, hard labels |"
    echo "|---|---|---|---|---|"
    for arm in sgd gsam; do
        dir="$out/$arm"
        python3 - "$dir" "$arm" <<'EOF'
import csv, sys
d, arm = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(f"{d}/experts.csv")))
last = {}
for r in rows:
    if r.get("kind") == "expert_epoch":
        last[r["expert"]] = float(r["test_accuracy"])
expert_acc = 100 * sum(last.values()) / len(last)
seconds = float(open(f"{d}/expert_seconds").read())
evals = [r for r in csv.DictReader(open(f"{d}/run/metrics.csv")) if r.get("kind") == "eval"]
def cell(name):
    r = [e for e in evals if e["set"] == name][-1]
    return f"{100 * float(r['accuracy_mean']):.2f} ± {100 * float(r['accuracy_std']):.2f} %"
print(f"| {arm.upper()} | {expert_acc:.2f} % | {seconds:.0f} s | {cell('synthetic')} | {cell('random real, hard labels')} |")
EOF
    done
} > "$out/report.md"
cat "$out/report.md"
echo "results in $out"
