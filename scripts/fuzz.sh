#!/usr/bin/env bash
# Fuzzes every reader of outside files with libFuzzer and AddressSanitizer: configures build-fuzz/
# with clang 14 (-DDISTILLERY_FUZZ=ON), builds the targets in fuzz/, writes seed inputs with
# Distillery's own writers, runs each target for SECONDS (default 30) and fails if any crashed.
# Prints the number of inputs each target executed. Crashing inputs are kept in
# build-fuzz/fuzz-artifacts/<target>/; the growing corpus in build-fuzz/fuzz-corpus/<target>/.
#   bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
build=build-fuzz
cxx="${CLANG_CXX:-clang++-14}"
command -v "$cxx" >/dev/null || { echo "fuzz: $cxx not found (apt-get install clang-14 libclang-rt-14-dev)"; exit 1; }

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDISTILLERY_FUZZ=ON -DDISTILLERY_WITH_QT=OFF -DDISTILLERY_WITH_OPENCV=OFF -DDISTILLERY_BENCH=OFF
fi
cmake --build "$build" --target fuzz_all --parallel "${FUZZ_BUILD_JOBS:-$(nproc)}"

targets=(fuzz_idx fuzz_idx_gz fuzz_cifar fuzz_dtraj fuzz_dsyn fuzz_pt fuzz_checkpoint)
export TMPDIR="$PWD/$build/fuzz-tmp"   # the targets' scratch files; removed at the end
rm -rf "$TMPDIR" "$build/fuzz-seeds"
mkdir -p "$TMPDIR"
trap 'rm -rf "$TMPDIR"' EXIT
"$build/fuzz/make_fuzz_seeds" "$build/fuzz-seeds"

# AddressSanitizer keeps its defaults, leak detection included: LibTorch 1.13 is not instrumented,
# but its allocations go through ASan's malloc, and with these targets it shows neither
# alloc-dealloc mismatches nor leaks (what it keeps for the process's life is reachable from
# globals, which LeakSanitizer does not report). If another LibTorch does report its own leaks,
# run with ASAN_OPTIONS=detect_leaks=0: the memory errors are the point, and they stay reported.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}"
export OMP_NUM_THREADS=1

failed=0
declare -A executed
for t in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$t" artifacts="$build/fuzz-artifacts/$t" log="$build/fuzz-logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  echo "fuzz: $t for ${seconds}s"
  set +e
  "$build/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -artifact_prefix="$artifacts/" \
    "$corpus" "$build/fuzz-seeds/$t" >"$log" 2>&1
  rc=$?
  set -e
  executed[$t]=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -n 1)
  if [ "$rc" -ne 0 ]; then
    failed=1
    echo "fuzz: $t FAILED (exit $rc); the end of $log:"
    tail -n 40 "$log"
    ls -l "$artifacts"
  fi
done

echo
printf '%-16s %12s\n' target executions
for t in "${targets[@]}"; do printf '%-16s %12s\n' "$t" "${executed[$t]:-?}"; done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: a target crashed; reproduce with $build/fuzz/<target> <artifact>"
  exit 1
fi
echo "fuzz: no crashes in ${seconds}s per target"
