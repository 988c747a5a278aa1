#!/usr/bin/env bash
# Distillation on one and on two processes (c10d, Gloo on 127.0.0.1), one LibTorch thread each
# (--threads 1, OMP_NUM_THREADS=1) so that two processes do not oversubscribe two cores.
#
# Each round runs the same distillation once in one process, once in two, and once as two
# independent single processes side by side (the order rotating between rounds), and reports per
# round: iterations per second, expert trajectories matched per second (one per rank and
# iteration), the two-to-one ratio of both kinds of pair, and the all-reduce's time per iteration.
# The independent pair is the machine's own limit: what two processes get out of it without any
# communication; a job can come close to it, not beat it. A rank's all-reduce time includes its
# wait for the slower rank; the smaller of the two ranks' times in each iteration is the
# all-reduce itself. The ratios come from runs made back to back, as on a shared machine only
# those compare.
#
# Usage: bench/run_distributed_bench.sh [--preset quick] [--iterations 40] [--rounds 3] [--out DIR]
#                                       [--set KEY=VALUE]...
# Environment: BUILD_DIR (default <repo>/build), MASTER_PORT (default 29611).
# Results: DIR/report.md (DIR defaults to a fresh temporary folder); each run's folder beside it;
# DIR/allreduce.rank0.md: bench_allreduce's timings of the all-reduce alone, as a design for each
# iteration (one image-sized buffer) and one that shards the student's batch (a parameter-sized
# buffer per student step) need it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-$root/build}
cli="$build/app/distillery-cli"
preset=quick iterations=40 rounds=3 out="" sets=()

while [ $# -gt 0 ]; do
    case "$1" in
        --preset) preset=$2 ;;
        --iterations) iterations=$2 ;;
        --rounds) rounds=$2 ;;
        --out) out=$2 ;;
        --set) sets+=(--set "$2") ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "run_distributed_bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
[ -x "$cli" ] || { echo "run_distributed_bench.sh: $cli not built (ninja -C $build distillery-cli)" >&2; exit 1; }
[ -n "$out" ] || out=$(mktemp -d /tmp/distributed_bench.XXXXXX)
mkdir -p "$out"
export OMP_NUM_THREADS=1
port=${MASTER_PORT:-29611}

# Only the steps are measured: no evaluation between them, the cheapest one at the end.
common=(distill --preset "$preset" --iterations "$iterations" --threads 1 --quiet --checkpoint-every 0
        --set eval_it=0 --set num_eval=1 --set epoch_eval_train=1 --experts "$out/experts" "${sets[@]}")

echo "== the all-reduce alone (bench_allreduce, two processes)"
if [ -x "$build/bench/bench_allreduce" ]; then
    for rank in 0 1; do
        RANK=$rank WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port "$build/bench/bench_allreduce" \
            > "$out/allreduce.rank$rank.md" 2>&1 &
    done
    wait
    port=$((port + 1))
    cat "$out/allreduce.rank0.md"
else
    echo "(not built: ninja -C $build bench_allreduce)"
fi

echo "== experts for --preset $preset (once, on two processes)"
for rank in 0 1; do
    RANK=$rank WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
        "$cli" experts --preset "$preset" --threads 1 --quiet --experts "$out/experts" "${sets[@]}" \
        > "$out/experts.rank$rank.log" 2>&1 &
done
wait
port=$((port + 1))

one() {  # $1: the run's folder
    "$cli" "${common[@]}" --out "$1" > "$1.log" 2>&1
}
two() {
    local pids=()
    for rank in 0 1; do
        RANK=$rank WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
            "$cli" "${common[@]}" --out "$1" --metrics "$1.metrics.csv" > "$1.rank$rank.log" 2>&1 &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    port=$((port + 1))
}

apart() {  # two single processes at once, no communication
    "$cli" "${common[@]}" --out "$1.a" > "$1.a.log" 2>&1 &
    local a=$!
    "$cli" "${common[@]}" --out "$1.b" > "$1.b.log" 2>&1 &
    local b=$!
    wait "$a"; wait "$b"
}

for round in $(seq 1 "$rounds"); do
    echo "== round $round of $rounds"
    case $((round % 3)) in
        1) one "$out/one$round"; two "$out/two$round"; apart "$out/apart$round" ;;
        2) two "$out/two$round"; apart "$out/apart$round"; one "$out/one$round" ;;
        0) apart "$out/apart$round"; one "$out/one$round"; two "$out/two$round" ;;
    esac
done

python3 - "$out" "$rounds" "$iterations" <<'PY' | tee "$out/report.md"
import csv, statistics, sys
out, rounds, iterations = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def steps(path):
    with open(path, newline="") as f:
        return [r for r in csv.DictReader(f) if r["kind"] == "step"]

print(f"| round | 1 process it/s | 2 ranks it/s | trajectories/s, 2 ranks : 1 | 2 independent processes : 1 | all-reduce ms/it, rank 0 | rank 1 | all-reduce itself (min of the ranks) ms/it | share of the step |")
print("|---|---|---|---|---|---|---|---|---|")
ratios, pure, limits = [], [], []
for k in range(1, rounds + 1):
    s1 = steps(f"{out}/one{k}/metrics.csv")
    r0 = steps(f"{out}/two{k}/metrics.csv")
    r1 = steps(f"{out}/two{k}.metrics.rank1.csv")
    t1 = sum(float(r["seconds"]) for r in s1) / len(s1)
    t2 = sum(float(r["seconds"]) for r in r0) / len(r0)
    a0 = [float(r["allreduce_seconds"]) for r in r0]
    a1 = [float(r["allreduce_seconds"]) for r in r1]
    own = [min(x, y) for x, y in zip(a0, a1)]
    ta = [sum(float(r["seconds"]) for r in steps(f"{out}/apart{k}.{x}/metrics.csv")) / len(s1) for x in "ab"]
    ratio = (2 / t2) / (1 / t1)
    limit = (1 / ta[0] + 1 / ta[1]) / (1 / t1)
    ratios.append(ratio)
    limits.append(limit)
    pure.append(statistics.mean(own))
    print(f"| {k} | {1/t1:.3f} | {1/t2:.3f} | {ratio:.2f} | {limit:.2f} | {1000*statistics.mean(a0):.2f} | {1000*statistics.mean(a1):.2f} "
          f"| {1000*statistics.mean(own):.3f} | {100*statistics.mean(own)/t2:.2f}% |")
print()
print(f"median over {rounds} rounds: trajectories per second, 2 ranks : 1 process = {statistics.median(ratios):.2f}, "
      f"2 independent processes : 1 = {statistics.median(limits):.2f}; all-reduce itself "
      f"{1000*statistics.median(pure):.3f} ms per iteration ({iterations} iterations per run)")
PY
echo "results: $out/report.md"
