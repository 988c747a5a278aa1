#include "distill/memory.h"

#include "common/cpu_allocator.h"

#ifdef DISTILLERY_HAVE_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

namespace distillery {

#ifdef DISTILLERY_HAVE_CUDA
namespace {
// allocated_bytes[0] is the aggregate over small and large pools (StatType::AGGREGATE); the
// index avoids the enum, whose namespace differs between LibTorch versions.
std::int64_t cuda_allocated(bool peak) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(c10::cuda::current_device());
    return peak ? stats.allocated_bytes[0].peak : stats.allocated_bytes[0].current;
}
}  // namespace
#endif

MemoryProbe::MemoryProbe(const std::string& device) {
    if (device == "cpu") {
        install_cpu_allocator();
        kind_ = "cpu-tensor-bytes";
    } else {
#ifdef DISTILLERY_HAVE_CUDA
        kind_ = "cuda-allocator";
#else
        kind_ = "cuda-unmeasured";
#endif
    }
}

void MemoryProbe::begin() {
    if (kind_ == "cpu-tensor-bytes") {
        at_begin_ = cpu_tensor_bytes();
        reset_cpu_tensor_peak();
    }
#ifdef DISTILLERY_HAVE_CUDA
    if (kind_ == "cuda-allocator") {
        c10::cuda::CUDACachingAllocator::resetPeakStats(c10::cuda::current_device());
        at_begin_ = cuda_allocated(false);
    }
#endif
}

std::int64_t MemoryProbe::peak_bytes() const {
    if (kind_ == "cpu-tensor-bytes") return cpu_tensor_peak() - at_begin_;
#ifdef DISTILLERY_HAVE_CUDA
    if (kind_ == "cuda-allocator") return cuda_allocated(true) - at_begin_;
#endif
    return -1;
}

}  // namespace distillery
