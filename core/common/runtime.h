#pragma once
#include <string>

namespace distillery {

// Sets LibTorch's intra-op thread count and installs Distillery's CPU allocator (cpu_allocator.h).
// Debian's LibTorch starts with one thread on a 2-core machine; we default to every core.
// `threads` <= 0 means: DISTILLERY_THREADS if set, else all cores.
void init_runtime(int threads = 0);

// Gives the memory the process has freed back to the system. A run allocates and frees tensors of
// many sizes at every step, and glibc's malloc keeps the freed pages: over thousands of steps the
// resident memory crept up by tens of MiB though nothing was live (the soak benchmark; calling
// malloc_trim from a debugger took it back). It also gives back the cached tensor blocks that were
// not reused since its last call (cpu_allocator.h), or all of them with `all_cached` (when a run
// stops or pauses). DistillRun::step() calls it every 10 steps; it takes a few milliseconds.
// malloc_trim is skipped where the C library is not glibc.
void release_free_memory(bool all_cached = false);

// "cpu" or "cuda", resolved from "auto", "cpu" or "cuda"; asking for CUDA where there is none throws.
std::string resolve_device(const std::string& wanted);

// One line: LibTorch version, threads, BLAS/CUDA availability; for logs and the CLI's `info`.
std::string runtime_summary();

}  // namespace distillery
