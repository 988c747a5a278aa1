#!/usr/bin/env bash
# ThreadSanitizer over the engine and the workbench's worker thread: configures build-tsan/ with
# -fsanitize=thread for the project's own code (core/, widgets/, app/workbench/, the tests),
# builds only the suites it runs, and runs them with halt_on_error=1, so that the first data race
# in our code fails the script. LibTorch, Qt and the C library are not instrumented: races inside
# them that TSan reports only because it cannot see their own locks are suppressed in
# scripts/tsan-suppressions.txt (each entry says why); nothing of ours is.
#
# It runs tst_threads, which drives DistillRun and RunWorker from two threads. tst_workbench is
# not run here: the worker's results reach the window as queued signals, and Qt hands an event
# from one thread to another under its own futex-based lock, inside the uninstrumented library,
# so TSan reports every such hand-over as a race; hiding those would hide real races in the
# window's slots too.
#   bash scripts/tsan.sh [SUITE...]     (default: tst_threads)
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-tsan
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(tst_threads)

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f "$build/CMakeCache.txt" ]; then
  # -O1 -g1: quick to compile with LibTorch's headers, and still file:line in every report.
  cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
    -DDISTILLERY_BENCH=OFF
fi
start=$(date +%s)
cmake --build "$build" --target "${suites[@]}" --parallel "${TSAN_BUILD_JOBS:-$(nproc)}"
echo "tsan: built ${suites[*]} in $(( $(date +%s) - start )) s"

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/scripts/tsan-suppressions.txt ${TSAN_OPTIONS:-}"
export QT_QPA_PLATFORM=offscreen
# LibTorch's OpenMP pool is not instrumented, so TSan cannot see its threads join; one thread
# keeps every tensor operation on the calling thread, where TSan sees what it touches.
export DISTILLERY_THREADS=1 OMP_NUM_THREADS=1

# GCC 12's TSan cannot map its shadow memory under a kernel that randomises mmap with more than 28
# bits (vm.mmap_rnd_bits); then the suite runs again without address randomisation.
run_suite() {
  local log="$build/tsan-logs/$1.log" rc=0
  mkdir -p "$(dirname "$log")"
  (cd "$build/tests" && "./$1") >"$log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] && grep -q "unexpected memory mapping" "$log"; then
    rc=0
    (cd "$build/tests" && setarch "$(uname -m)" -R "./$1") >"$log" 2>&1 || rc=$?
  fi
  return "$rc"
}

failed=0
for s in "${suites[@]}"; do
  t0=$(date +%s)
  if run_suite "$s"; then
    echo "tsan: $s passed in $(( $(date +%s) - t0 )) s"
  else
    failed=1
    echo "tsan: $s FAILED; the end of $build/tsan-logs/$s.log:"
    tail -n 80 "$build/tsan-logs/$s.log"
  fi
done
echo "tsan: $(( $(date +%s) - start )) s in all"
exit "$failed"
