#pragma once
#include <string>

namespace distillery {

// Sets LibTorch's intra-op thread count. Debian's LibTorch starts with one thread on a 2-core
// machine; we default to every core. `threads` <= 0 means: DISTILLERY_THREADS if set, else all cores.
void init_runtime(int threads = 0);

// "cpu" or "cuda", resolved from "auto", "cpu" or "cuda"; asking for CUDA where there is none throws.
std::string resolve_device(const std::string& wanted);

// One line: LibTorch version, threads, BLAS/CUDA availability; for logs and the CLI's `info`.
std::string runtime_summary();

}  // namespace distillery
