#!/usr/bin/env bash
# The GPU check, in one command, for a machine with an NVIDIA GPU and a CUDA build of PyTorch but
# neither Qt, OpenCV nor a network (the `device` machine): builds the engine, the CLI and the
# benchmark against PyTorch's LibTorch, then on CUDA
#   1. info: LibTorch sees the GPU;
#   2. the engine on CUDA: a tiny distillation per gradient mode (unrolled, tesla, exact), each
#      checked for CUDA allocator memory in its metrics, and its first loss against the same run
#      on the CPU (same experts, same draws);
#   3. the out-of-memory guard: a step far too big for the GPU is refused with advice (exit 4);
#   4. the gradient-mode benchmark: memory against N for the three modes, s/iteration, and the C++
#      iteration against the same one in PyTorch on the same GPU (bench/run_distill_bench.sh);
#   5. the quick preset end to end (`distillery-cli demo --device cuda`).
# The Qt Test suites need Qt, which that machine lacks; scripts/check-debian13.sh runs them against
# Debian's CUDA LibTorch on the CPU. Every log, table and result goes under $OUT, with summary.md.
# Each part has a time limit; the whole stays under GPU_CHECK_BUDGET_S (default 450 s).
#
# Inputs it cannot download there: Fashion-MNIST and nlohmann-json's headers. On a Debian machine
# with them, `bash scripts/gpu-check.sh --prepare` copies both into carry/gpu-inputs/ (git-ignored,
# about 31 MB), which the device tool carries along (carry: ["carry"]) and this script then uses.
#
# Dry run without a GPU: GPU_CHECK_DEVICE=cpu runs every part on the CPU with small sizes, which
# exercises the script; without a GPU and without it, the script says "no CUDA" and stops after
# the build.
#
# Usage: bash scripts/gpu-check.sh [--prepare]
# Environment: OUT (default ./gpu-check-out), PYTHON (default python3), GPU_CHECK_DEVICE (cuda),
#   GPU_CHECK_BUDGET_S, DISTILLERY_DATA, NLOHMANN_JSON_INCLUDE_DIR.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if [ "${1:-}" = "--prepare" ]; then
    set -e
    dest=carry/gpu-inputs
    rm -rf "$dest" && mkdir -p "$dest/include"
    cp -r /usr/share/datasets/fashion-mnist "$dest/"
    cp -r /usr/include/nlohmann "$dest/include/"
    du -sh "$dest"
    exit 0
fi

OUT=${OUT:-$root/gpu-check-out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
python=${PYTHON:-python3}
device=${GPU_CHECK_DEVICE:-cuda}
# A dry run on a CPU machine gets ten times the time (a 2-core machine builds for many minutes).
scale=1
[ "$device" = cpu ] && scale=10
budget=${GPU_CHECK_BUDGET_S:-$((450 * scale))}
started=$SECONDS
[ -d carry/gpu-inputs/fashion-mnist ] && export DISTILLERY_DATA=${DISTILLERY_DATA:-$root/carry/gpu-inputs}
[ -d carry/gpu-inputs/include/nlohmann ] && export NLOHMANN_JSON_INCLUDE_DIR=${NLOHMANN_JSON_INCLUDE_DIR:-$root/carry/gpu-inputs/include}

summary="$OUT/summary.md"
echo "# GPU check, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')" > "$summary"
echo >> "$summary"
failures=0
# part NAME LIMIT_S COMMAND...: runs COMMAND with its output in $OUT/NAME.log, at most LIMIT_S
# seconds and never past the budget; one line per part in summary.md.
part() {
    local name=$1 limit=$(($2 * scale))
    shift 2
    local left=$((budget - (SECONDS - started)))
    [ "$limit" -gt "$left" ] && limit=$left
    if [ "$limit" -le 5 ]; then
        echo "- $name: not run, the time budget is spent" | tee -a "$summary"
        failures=$((failures + 1))
        return 1
    fi
    local t0=$SECONDS rc=0
    echo "== $name (limit ${limit}s)"
    timeout "$limit" bash -c '"$@"' part "$@" > "$OUT/$name.log" 2>&1 || rc=$?
    local t=$((SECONDS - t0)) verdict=passed
    [ $rc -eq 124 ] && verdict="TIMED OUT"
    [ $rc -ne 0 ] && [ $rc -ne 124 ] && verdict="FAILED (exit $rc)"
    [ $rc -ne 0 ] && failures=$((failures + 1))
    echo "- $name: $verdict in ${t}s (log: $name.log)" | tee -a "$summary"
    [ $rc -eq 0 ] || tail -n 20 "$OUT/$name.log"
    return $rc
}

environment() {
    nvidia-smi || true
    "$python" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "available", torch.cuda.is_available())'
    command -v nvcc >/dev/null && nvcc --version | tail -n 2
    cmake --version | head -n 1
    nproc
}

build() {
    local prefix
    prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
    local generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    local extra=()
    [ -n "${NLOHMANN_JSON_INCLUDE_DIR:-}" ] && extra+=(-DNLOHMANN_JSON_INCLUDE_DIR="$NLOHMANN_JSON_INCLUDE_DIR")
    cmake -S . -B build-gpu "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DDISTILLERY_WITH_QT=OFF \
        -DDISTILLERY_WITH_OPENCV=OFF -DCMAKE_PREFIX_PATH="$prefix" "${extra[@]}" || return 1
    cmake --build build-gpu --parallel "$(nproc)" --target distillery-cli bench_distill
}

cli=build-gpu/app/distillery-cli
# Small settings of the quick preset's network (no value has a space: used unquoted).
tiny="--set train_per_class=50 --set net_width=32 --set net_depth=3 --set num_experts=2 --set train_epochs=3
      --set expert_epochs=1 --set max_start_epoch=2 --set syn_steps=10 --set ipc=10 --set batch_syn=50
      --set num_eval=1 --set epoch_eval_train=20 --set eval_it=0 --set lr_floor=0.001"

info() {
    local text
    text=$("$cli" info --device "$device") || return 1
    echo "$text"
    if [ "$device" = cuda ]; then grep -q 'CUDA available' <<<"$text"; fi
}

# Column COLUMN of the first step row of a metrics.csv.
first_step() {
    awk -F, -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
                         $1 == "step" { print $c; exit }' "$1"
}

engine_modes() {
    local experts="$OUT/engine/experts"
    mkdir -p "$OUT/engine"
    # Experts on the CPU, so that both devices match against the very same trajectories.
    "$cli" experts --device cpu --quiet --experts "$experts" $tiny || return 1
    local mode rc=0
    for mode in unrolled tesla exact; do
        for dev in cpu "$device"; do
            "$cli" distill --device "$dev" --quiet --iterations 3 --experts "$experts" \
                --out "$OUT/engine/$mode-$dev" --set gradient_mode="$mode" $tiny || return 1
        done
        local m_cpu="$OUT/engine/$mode-cpu/metrics.csv" m_dev="$OUT/engine/$mode-$device/metrics.csv"
        local l_cpu l_dev kind peak
        l_cpu=$(first_step "$m_cpu" loss) l_dev=$(first_step "$m_dev" loss)
        kind=$(first_step "$m_dev" memory_kind) peak=$(first_step "$m_dev" peak_bytes)
        echo "$mode: first loss cpu $l_cpu, $device $l_dev; memory $kind, peak $peak bytes"
        # float32 on two devices: the same to a few parts in 10^4
        awk -v a="$l_cpu" -v b="$l_dev" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-3 * (a < 0 ? -a : a) + 1e-6) }' ||
            { echo "$mode: the losses differ beyond float32 rounding"; rc=1; }
        if [ "$device" = cuda ]; then
            [ "$kind" = cuda-allocator ] && [ "${peak:-0}" -gt 0 ] ||
                { echo "$mode: no CUDA allocator peak in the metrics"; rc=1; }
        fi
    done
    return $rc
}

out_of_memory_guard() {
    # Unrolled back-propagation through 3000 steps of all 500 images at once: about 1 GB of
    # activations per step, 3 TB in all, far more than a GPU has (a CPU dry run is capped at 4 GiB).
    local size="--set ipc=50 --set batch_syn=0 --set syn_steps=3000 --set gradient_mode=unrolled"
    [ "$device" = cpu ] && ulimit -v $((4 * 1024 * 1024))
    local rc=0 text
    text=$("$cli" distill --device "$device" --quiet --iterations 1 --experts "$OUT/engine/experts" \
        --out "$OUT/engine/oom" $tiny $size 2>&1) || rc=$?
    echo "$text"
    echo "exit status $rc (4 expected: a guard stopped the run)"
    [ $rc -eq 4 ] && grep -q 'out of memory' <<<"$text"
}

benchmark() {
    local args=(--width 128 --steps 10,20,40,80 --reps 3)
    [ "$device" = cpu ] && args=(--width 8 --steps 2,4 --reps 1 --batch 20)
    BUILD_DIR=build-gpu PYTHON="$python" bash bench/run_distill_bench.sh "${args[@]}" --device "$device" --out "$OUT/bench"
}

quick_preset() {
    local args=()
    [ "$device" = cpu ] && args=($tiny --iterations 2)
    "$cli" demo --device "$device" --out "$OUT/quick" --experts "$OUT/quick-experts" "${args[@]}"
}

export -f environment build info first_step engine_modes out_of_memory_guard benchmark quick_preset
export OUT python device cli tiny
part environment 60 environment
part build 300 build || { echo "gpu-check: the build failed; see $OUT/build.log"; exit 1; }
if [ "$device" = cuda ] && ! "$python" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    echo "- no CUDA: this machine's PyTorch sees no CUDA GPU; the CUDA parts were not run (GPU_CHECK_DEVICE=cpu dry-runs them on the CPU)" |
        tee -a "$summary"
    exit 1
fi
part info 60 info
part engine-modes 120 engine_modes
part out-of-memory-guard 90 out_of_memory_guard
part benchmark 150 benchmark
part quick-preset 180 quick_preset
t=$((SECONDS - started))
echo >> "$summary"
echo "device $device; $failures part(s) failed; ${t}s in all" | tee -a "$summary"
[ -f "$OUT/bench/report.md" ] && { echo; cat "$OUT/bench/report.md"; } >> "$summary"
[ $failures -eq 0 ]
