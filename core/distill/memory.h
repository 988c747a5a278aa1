#pragma once
#include <cstdint>
#include <string>

namespace distillery {

// Peak tensor memory of a region of code, for the memory-against-matching-steps view.
// CPU: Distillery's CPU allocator (common/cpu_allocator.h) counts the bytes of live tensors; the probe
// reports the highest count reached since begin() minus the count at begin(), i.e. the extra
// tensor memory the region needed at its worst. Memory that oneDNN or BLAS take for themselves
// outside the allocator is not counted. CUDA: the peak of LibTorch's CUDA caching allocator's
// allocated bytes since begin() minus its allocated bytes at begin() (kind "cuda-allocator"),
// in builds against a CUDA LibTorch; other builds report kind "cuda-unmeasured" and -1.
class MemoryProbe {
public:
    explicit MemoryProbe(const std::string& device);
    void begin();
    std::int64_t peak_bytes() const;  // since begin(); -1 when not measured
    const std::string& kind() const { return kind_; }

private:
    std::string kind_;
    std::int64_t at_begin_ = 0;
};

}  // namespace distillery
