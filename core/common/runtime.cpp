#include "common/runtime.h"

#include <torch/torch.h>

#include <cstdlib>
#if defined(__GLIBC__)
#include <dlfcn.h>
#include <malloc.h>
#endif
#include <sstream>
#include <thread>

#include "common/cpu_allocator.h"
#include "common/error.h"

namespace distillery {
namespace {

// OpenBLAS's pthread build (what Debian's libblas.so.3 points to) runs its own pool of worker
// threads beside LibTorch's OpenMP pool, and they spin (sched_yield) between calls. With both at
// every core, the two pools fought over the cores: on our 2-vCPU machine an exact-gradient
// iteration took 6.0 s against 3.7 s with OpenBLAS on one thread, and an unrolled one 4.5 s
// against 2.7 s (docs/benchmarks.md, 2026-11-30). LibTorch parallelises around its BLAS calls
// itself, so BLAS gets one thread, unless the user set OPENBLAS_NUM_THREADS.
void single_threaded_blas() {
#if defined(__GLIBC__)
    if (std::getenv("OPENBLAS_NUM_THREADS") != nullptr) return;
    using SetThreads = void (*)(int);
    if (auto* set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(1);
#endif
}

}  // namespace

void init_runtime(int threads) {
    if (threads <= 0) {
        if (const char* env = std::getenv("DISTILLERY_THREADS")) threads = std::atoi(env);
    }
    if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads <= 0) threads = 1;
    at::set_num_threads(threads);
    single_threaded_blas();
    install_cpu_allocator();
}

void release_free_memory(bool all_cached) {
    release_cached_cpu_blocks(all_cached);
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

std::string resolve_device(const std::string& wanted) {
    if (wanted == "cpu") return "cpu";
    const bool cuda = torch::cuda::is_available();
    if (wanted == "cuda") {
        if (!cuda) throw Error("device 'cuda' was asked for, but this LibTorch build sees no CUDA GPU");
        return "cuda";
    }
    if (wanted.empty() || wanted == "auto") return cuda ? "cuda" : "cpu";
    throw Error("unknown device '" + wanted + "' (use auto, cpu or cuda)");
}

std::string runtime_summary() {
    std::ostringstream s;
    s << "LibTorch " << TORCH_VERSION << ", " << at::get_num_threads() << " CPU threads, CUDA "
      << (torch::cuda::is_available() ? "available (" + std::to_string(torch::cuda::device_count()) + " devices)"
                                      : std::string("not available"));
    return s.str();
}

}  // namespace distillery
