#include "distill/memory.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#ifdef DISTILLERY_HAVE_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

#include <atomic>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace distillery {
namespace {

std::atomic<std::int64_t> g_live{0};
std::atomic<std::int64_t> g_peak{0};

struct Tracked {
    c10::DataPtr inner;
    std::int64_t bytes;
};

// LibTorch's raw allocation path (used by oneDNN) requires the context to be the data pointer
// itself, so the bookkeeping is a map from data pointer to the wrapped allocation.
std::mutex g_mutex;
std::unordered_map<void*, Tracked>& live_allocations() {
    static auto* m = new std::unordered_map<void*, Tracked>();  // never destroyed: frees may come late
    return *m;
}

void release(void* data) {
    Tracked t;
    {
        std::lock_guard<std::mutex> lock(g_mutex);
        auto& m = live_allocations();
        const auto it = m.find(data);
        if (it == m.end()) return;
        t = std::move(it->second);
        m.erase(it);
    }
    g_live -= t.bytes;
    // t.inner goes out of scope here and frees through the wrapped allocator's deleter.
}

// Forwards to LibTorch's CPU allocator and counts live bytes and their running peak.
class CountingAllocator final : public c10::Allocator {
public:
    explicit CountingAllocator(c10::Allocator* inner) : inner_(inner) {}

    c10::DataPtr allocate(size_t n) const override {
        c10::DataPtr p = inner_->allocate(n);
        void* data = p.get();
        if (data == nullptr) return p;
        const auto device = p.device();
        {
            std::lock_guard<std::mutex> lock(g_mutex);
            live_allocations()[data] = Tracked{std::move(p), static_cast<std::int64_t>(n)};
        }
        const auto now = (g_live += static_cast<std::int64_t>(n));
        auto peak = g_peak.load();
        while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
        }
        return {data, data, &release, device};
    }

    c10::DeleterFnPtr raw_deleter() const override { return &release; }

    // LibTorch 2.x declares this pure virtual; 1.13 does not have it (so no `override`).
    void copy_data(void* dest, const void* src, std::size_t count) const { std::memcpy(dest, src, count); }

private:
    c10::Allocator* inner_;
};

void install_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        static CountingAllocator counting(c10::GetCPUAllocator());
        c10::SetCPUAllocator(&counting, /*priority=*/100);
    });
}

}  // namespace

std::int64_t cpu_tensor_bytes() { return g_live.load(); }

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
        install_once();
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
        at_begin_ = g_live.load();
        g_peak = at_begin_;
    }
#ifdef DISTILLERY_HAVE_CUDA
    if (kind_ == "cuda-allocator") {
        c10::cuda::CUDACachingAllocator::resetPeakStats(c10::cuda::current_device());
        at_begin_ = cuda_allocated(false);
    }
#endif
}

std::int64_t MemoryProbe::peak_bytes() const {
    if (kind_ == "cpu-tensor-bytes") return g_peak.load() - at_begin_;
#ifdef DISTILLERY_HAVE_CUDA
    if (kind_ == "cuda-allocator") return cuda_allocated(true) - at_begin_;
#endif
    return -1;
}

}  // namespace distillery
