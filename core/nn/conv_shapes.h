#pragma once
// Feature-map sizes through convolutions and pools, and the refusal of images too small for a
// network, shared by the cross-architecture networks.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "nn/architectures.h"

namespace distillery {

// Side of a conv or pool output: floor((side + 2 padding - kernel) / stride) + 1.
inline std::int64_t conv_side(std::int64_t side, std::int64_t kernel, std::int64_t stride, std::int64_t padding) {
    return (side + 2 * padding - kernel) / stride + 1;
}

inline void require_pixels(std::int64_t h, std::int64_t w, const std::string& arch, const NetworkInput& in) {
    if (h <= 0 || w <= 0)
        throw Error("images of " + std::to_string(in.height) + "x" + std::to_string(in.width) + " are too small for " +
                    arch);
}

inline std::string describe_input(const std::string& arch, const NetworkInput& in) {
    return arch + " c=" + std::to_string(in.channels) + " h=" + std::to_string(in.height) +
           " w=" + std::to_string(in.width) + " k=" + std::to_string(in.classes);
}

}  // namespace distillery
