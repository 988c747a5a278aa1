#include "common/cpu_allocator.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <atomic>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#define DISTILLERY_CACHE_BLOCKS 1
#endif

namespace distillery {
namespace {

constexpr std::size_t kCachedMin = 128 * 1024;  // below this glibc's heap serves without faults
constexpr std::size_t kPage = 4096;
constexpr std::size_t kHugePage = 2 * 1024 * 1024;

std::atomic<std::int64_t> g_live{0};
std::atomic<std::int64_t> g_peak{0};
std::atomic<std::int64_t> g_cached{0};

// A live allocation: either a block of our own (mapped bytes, page-rounded) or one of the
// wrapped allocator's, which `inner` frees.
struct Live {
    std::int64_t bytes = 0;
    std::size_t mapped = 0;
    c10::DataPtr inner;
};

struct FreeBlock {
    void* data;
    std::uint64_t generation;  // of release_cached_cpu_blocks() calls when it was freed
};

struct State {
    std::mutex mutex;
    std::unordered_map<void*, Live> live;  // by data pointer: LibTorch's raw path needs context == data
    std::unordered_map<std::size_t, std::vector<FreeBlock>> cache;  // by mapped size
    std::uint64_t generation = 0;
};

State& state() {
    static auto* s = new State();  // never destroyed: tensors may be freed after static destruction
    return *s;
}

#if DISTILLERY_CACHE_BLOCKS
// Fresh anonymous memory; from 2 MiB on, aligned to 2 MiB and advised for huge pages (only whole
// huge pages inside the block become huge; the tail stays in 4 KiB pages, so nothing is wasted).
void* map_block(std::size_t mapped) {
    if (mapped < kHugePage) {
        void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? nullptr : p;
    }
    const std::size_t span = mapped + kHugePage;
    void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return nullptr;
    auto* begin = static_cast<char*>(raw);
    const auto address = reinterpret_cast<std::uintptr_t>(begin);
    auto* aligned = begin + ((kHugePage - address % kHugePage) % kHugePage);
    if (aligned > begin) munmap(begin, static_cast<std::size_t>(aligned - begin));
    const std::size_t tail = static_cast<std::size_t>(begin + span - (aligned + mapped));
    if (tail > 0) munmap(aligned + mapped, tail);
    madvise(aligned, mapped, MADV_HUGEPAGE);  // advice only: refused where THP is off
    return aligned;
}

void unmap_block(void* data, std::size_t mapped) { munmap(data, mapped); }
#endif

void track_peak(std::int64_t now) {
    auto peak = g_peak.load();
    while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
    }
}

void release(void* data) {
    Live entry;
    auto& s = state();
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        const auto it = s.live.find(data);
        if (it == s.live.end()) return;
        entry = std::move(it->second);
        s.live.erase(it);
        if (entry.mapped > 0) {
            s.cache[entry.mapped].push_back(FreeBlock{data, s.generation});
            g_cached += static_cast<std::int64_t>(entry.mapped);
        }
    }
    g_live -= entry.bytes;
    // A wrapped allocation's DataPtr goes out of scope here and frees through its own deleter.
}

class CachingCountingAllocator final : public c10::Allocator {
public:
    explicit CachingCountingAllocator(c10::Allocator* inner) : inner_(inner) {}

    // LibTorch 1.13 declares allocate() const, 2.x (from 2.3) not: each overrides the one its base
    // declares, so no `override` on either.
    c10::DataPtr allocate(size_t n) const { return allocate_block(n); }
    c10::DataPtr allocate(size_t n) { return allocate_block(n); }

    c10::DeleterFnPtr raw_deleter() const override { return &release; }

    // LibTorch 2.x declares this pure virtual; 1.13 does not have it (so no `override`).
    void copy_data(void* dest, const void* src, std::size_t count) const { std::memcpy(dest, src, count); }

private:
    c10::DataPtr allocate_block(size_t n) const {
        void* data = nullptr;
        Live entry;
        entry.bytes = static_cast<std::int64_t>(n);
#if DISTILLERY_CACHE_BLOCKS
        if (n >= kCachedMin) {
            const std::size_t mapped = (n + kPage - 1) / kPage * kPage;
            data = take_cached(mapped);
            if (data == nullptr) data = map_block(mapped);
            if (data == nullptr) {  // the system said no: give back what we hold and try once more
                release_cached_cpu_blocks(true);
                data = map_block(mapped);
            }
            if (data != nullptr) entry.mapped = mapped;
        }
#endif
        if (data == nullptr) {  // small, or no mapping to be had: the wrapped allocator (which throws when out of memory)
            entry.inner = inner_->allocate(n);
            data = entry.inner.get();
            if (data == nullptr) return std::move(entry.inner);
        }
        auto& s = state();
        {
            std::lock_guard<std::mutex> lock(s.mutex);
            s.live[data] = std::move(entry);
        }
        track_peak(g_live += static_cast<std::int64_t>(n));
        return {data, data, &release, c10::Device(c10::DeviceType::CPU)};
    }

    static void* take_cached(std::size_t mapped) {
        auto& s = state();
        std::lock_guard<std::mutex> lock(s.mutex);
        const auto it = s.cache.find(mapped);
        if (it == s.cache.end() || it->second.empty()) return nullptr;
        void* data = it->second.back().data;
        it->second.pop_back();
        g_cached -= static_cast<std::int64_t>(mapped);
        return data;
    }

    c10::Allocator* inner_;
};

}  // namespace

void install_cpu_allocator() {
    static std::once_flag once;
    std::call_once(once, [] {
        static CachingCountingAllocator allocator(c10::GetCPUAllocator());
        c10::SetCPUAllocator(&allocator, /*priority=*/100);
    });
}

std::int64_t cpu_tensor_bytes() { return g_live.load(); }
std::int64_t cpu_tensor_peak() { return g_peak.load(); }
void reset_cpu_tensor_peak() { g_peak = g_live.load(); }
std::int64_t cpu_cached_bytes() { return g_cached.load(); }

void release_cached_cpu_blocks(bool all) {
#if DISTILLERY_CACHE_BLOCKS
    std::vector<std::pair<void*, std::size_t>> to_unmap;
    auto& s = state();
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        for (auto it = s.cache.begin(); it != s.cache.end();) {
            auto& blocks = it->second;
            std::size_t kept = 0;
            for (const auto& b : blocks) {
                if (all || b.generation != s.generation) to_unmap.emplace_back(b.data, it->first);
                else blocks[kept++] = b;
            }
            blocks.resize(kept);
            it = blocks.empty() ? s.cache.erase(it) : std::next(it);
        }
        ++s.generation;
        for (const auto& [data, mapped] : to_unmap) g_cached -= static_cast<std::int64_t>(mapped);
    }
    for (const auto& [data, mapped] : to_unmap) unmap_block(data, mapped);
#else
    (void)all;
#endif
}

}  // namespace distillery
