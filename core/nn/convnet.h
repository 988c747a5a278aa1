#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nn/network.h"

namespace distillery {

using Tensor = at::Tensor;

// The ConvNet of MTT, TESLA and DATM (spec 2.1): `depth` blocks of 3x3 conv (padding 1; padding 3
// on the first conv of 1-channel input, which turns 28x28 into 32x32), instance norm as
// GroupNorm(width, width) with affine parameters, ReLU and 2x2 average pooling, then a linear head.
struct ConvNetSpec {
    std::int64_t channels = 1;
    std::int64_t height = 28;
    std::int64_t width = 28;
    std::int64_t classes = 10;
    std::int64_t net_width = 128;
    std::int64_t depth = 3;

    // "convnet c=1 h=28 w=28 k=10 width=128 depth=3": stored in trajectory files.
    std::string describe() const;
    static ConvNetSpec parse(const std::string& text);
    bool operator==(const ConvNetSpec& o) const;
    bool operator!=(const ConvNetSpec& o) const { return !(*this == o); }
};

// The ConvNet as a functional Network (see network.h). forward() without running statistics is
// what distillation calls: instance norm behaves the same in training and evaluation.
class ConvNet : public Network {
public:
    explicit ConvNet(const ConvNetSpec& spec);

    const ConvNetSpec& spec() const { return spec_; }
    std::int64_t feature_size() const { return feature_size_; }
    std::string describe() const override { return spec_.describe(); }

    // x: [B, C, H, W]; theta: [P]. Returns logits [B, classes].
    Tensor forward(const Tensor& x, const Tensor& theta) const;
    Tensor forward(const Tensor& x, const Tensor& theta, const Tensor& running_stats, bool training) const override;

private:
    ConvNetSpec spec_;
    std::int64_t feature_size_ = 0;
};

}  // namespace distillery
