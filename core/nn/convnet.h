#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/rng.h"

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

// One parameter tensor inside the flat vector.
struct ParamSlot {
    std::string name;  // "conv0.weight", "norm0.weight", ..., "fc.bias"
    std::vector<std::int64_t> shape;
    std::int64_t offset = 0;
    std::int64_t numel = 0;
};

// A functional ConvNet: the network is its shape; the parameters are one flat vector theta in the
// reference order (PyTorch's net.parameters(): conv.w, conv.b, norm.gamma, norm.beta per block,
// then fc.w, fc.b; each tensor flattened row-major). forward() only slices theta, so gradients
// of any order flow back to theta and to the input.
class ConvNet {
public:
    explicit ConvNet(const ConvNetSpec& spec);

    const ConvNetSpec& spec() const { return spec_; }
    std::int64_t num_params() const { return num_params_; }
    const std::vector<ParamSlot>& layout() const { return layout_; }
    std::int64_t feature_size() const { return feature_size_; }

    // x: [B, C, H, W]; theta: [P]. Returns logits [B, classes].
    Tensor forward(const Tensor& x, const Tensor& theta) const;

    // Logits without a graph, in batches of `batch` images (for labelling and testing).
    Tensor predict(const Tensor& x, const Tensor& theta, std::int64_t batch = 256) const;

    // PyTorch's default initialisation (weights and biases U(+-1/sqrt(fan_in)), norm gamma 1,
    // beta 0), drawn from `rng`; float32 on the CPU.
    Tensor initial_parameters(Rng& rng) const;

    // The view of one slot of theta (no copy).
    Tensor slot(const Tensor& theta, size_t index) const;

private:
    ConvNetSpec spec_;
    std::vector<ParamSlot> layout_;
    std::int64_t num_params_ = 0;
    std::int64_t feature_size_ = 0;
};

}  // namespace distillery
