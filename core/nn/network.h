#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/rng.h"

namespace distillery {

using Tensor = at::Tensor;

// How a parameter starts, as PyTorch's layers start: conv and linear weights and biases
// U(+-1/sqrt(fan_in)) with the fan-in of the layer's weight, norm scales 1 and shifts 0.
enum class ParamInit { Uniform, One, Zero };

// One parameter tensor inside the flat vector.
struct ParamSlot {
    std::string name;  // "conv0.weight", "norm0.weight", ..., "fc.bias"
    std::vector<std::int64_t> shape;
    std::int64_t offset = 0;
    std::int64_t numel = 0;
    ParamInit init = ParamInit::Uniform;
    std::int64_t fan_in = 1;  // of the layer's weight, for ParamInit::Uniform
};

// A normalisation layer: instance norm (GroupNorm with one group per channel, as the reference
// networks write it) or batch norm, whose running means and variances live in a second flat
// vector beside theta.
struct NormLayer {
    size_t weight = 0;  // index of the scale in the layout; the shift follows it
    std::int64_t channels = 0;
    bool batch = false;
    std::int64_t running_offset = 0;  // running mean, then running variance, in the running statistics
};

// A functional network: the network is its shape; the parameters are one flat vector theta in
// PyTorch's net.parameters() order, each tensor flattened row-major, and forward() only slices
// theta, so gradients of any order flow back to theta and to the input. Networks with batch norm
// also keep running statistics, which training updates in place and evaluation reads.
class Network {
public:
    virtual ~Network() = default;

    // "resnet18bn c=1 h=28 w=28 k=10": names the architecture and what it was built for.
    virtual std::string describe() const = 0;

    // x: [B, C, H, W]; theta: [P]; running_stats: [num_running_stats()] (undefined when 0).
    // `training` selects batch statistics (updating running_stats) over running statistics.
    virtual Tensor forward(const Tensor& x, const Tensor& theta, const Tensor& running_stats, bool training) const = 0;

    std::int64_t num_params() const { return num_params_; }
    const std::vector<ParamSlot>& layout() const { return layout_; }
    std::int64_t num_running_stats() const { return num_running_stats_; }

    // Logits without a graph, in evaluation mode, in batches of `batch` images.
    Tensor predict(const Tensor& x, const Tensor& theta, std::int64_t batch = 256,
                   const Tensor& running_stats = Tensor()) const;

    // PyTorch's default initialisation (see ParamInit), drawn from `rng` in layout order; float32.
    Tensor initial_parameters(Rng& rng) const;

    // Running means 0 and variances 1, as a fresh BatchNorm2d; undefined without batch norm.
    Tensor initial_running_stats() const;

    // The view of one slot of theta (no copy).
    Tensor slot(const Tensor& theta, size_t index) const;

protected:
    // Appends a parameter and returns its index.
    size_t add_param(const std::string& name, std::vector<std::int64_t> shape, ParamInit init, std::int64_t fan_in);
    // A conv or linear layer: weight [out, in, ...] and, with `bias`, bias [out].
    size_t add_layer(const std::string& name, std::vector<std::int64_t> weight_shape, bool bias);
    NormLayer add_norm(const std::string& name, std::int64_t channels, bool batch);

    Tensor normalise(const Tensor& h, const NormLayer& norm, const Tensor& theta, const Tensor& running_stats,
                     bool training) const;

    // Refuses a theta or an input that does not fit, naming both shapes.
    void check_arguments(const Tensor& x, const Tensor& theta, std::int64_t channels, std::int64_t height,
                         std::int64_t width) const;

private:
    std::vector<ParamSlot> layout_;
    std::int64_t num_params_ = 0;
    std::int64_t num_running_stats_ = 0;
    std::vector<NormLayer> batch_norms_;
};

}  // namespace distillery
