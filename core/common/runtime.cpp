#include "common/runtime.h"

#include <torch/torch.h>

#include <cstdlib>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <sstream>
#include <thread>

#include "common/error.h"

namespace distillery {

void init_runtime(int threads) {
    if (threads <= 0) {
        if (const char* env = std::getenv("DISTILLERY_THREADS")) threads = std::atoi(env);
    }
    if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads <= 0) threads = 1;
    at::set_num_threads(threads);
}

void release_free_memory() {
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
