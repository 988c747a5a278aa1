#include "nn/network.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "nn/instance_norm.h"

namespace distillery {

size_t Network::add_param(const std::string& name, std::vector<std::int64_t> shape, ParamInit init,
                          std::int64_t fan_in) {
    ParamSlot p;
    p.name = name;
    p.shape = std::move(shape);
    p.offset = num_params_;
    p.numel = 1;
    for (auto d : p.shape) p.numel *= d;
    p.init = init;
    p.fan_in = fan_in;
    num_params_ += p.numel;
    layout_.push_back(std::move(p));
    return layout_.size() - 1;
}

size_t Network::add_layer(const std::string& name, std::vector<std::int64_t> weight_shape, bool bias) {
    std::int64_t fan_in = 1;
    for (size_t i = 1; i < weight_shape.size(); ++i) fan_in *= weight_shape[i];
    const std::int64_t out = weight_shape.front();
    const size_t index = add_param(name + ".weight", std::move(weight_shape), ParamInit::Uniform, fan_in);
    if (bias) add_param(name + ".bias", {out}, ParamInit::Uniform, fan_in);
    return index;
}

NormLayer Network::add_norm(const std::string& name, std::int64_t channels, bool batch) {
    NormLayer n;
    n.weight = add_param(name + ".weight", {channels}, ParamInit::One, 1);
    add_param(name + ".bias", {channels}, ParamInit::Zero, 1);
    n.channels = channels;
    n.batch = batch;
    if (batch) {
        n.running_offset = num_running_stats_;
        num_running_stats_ += 2 * channels;
        batch_norms_.push_back(n);
    }
    return n;
}

Tensor Network::slot(const Tensor& theta, size_t index) const {
    const auto& p = layout_[index];
    return theta.narrow(0, p.offset, p.numel).view(p.shape);
}

Tensor Network::normalise(const Tensor& h, const NormLayer& norm, const Tensor& theta, const Tensor& running_stats,
                          bool training) const {
    const auto weight = slot(theta, norm.weight);
    const auto bias = slot(theta, norm.weight + 1);
    if (!norm.batch) return instance_norm(h, weight, bias);
    if (!running_stats.defined() || running_stats.numel() != num_running_stats_)
        throw Error(describe() + " needs its " + std::to_string(num_running_stats_) + " running batch-norm statistics");
    // BatchNorm2d's defaults: momentum 0.1, eps 1e-5; the running variance is unbiased.
    const auto mean = running_stats.narrow(0, norm.running_offset, norm.channels);
    const auto var = running_stats.narrow(0, norm.running_offset + norm.channels, norm.channels);
    return torch::batch_norm(h, weight, bias, mean, var, training, 0.1, 1e-5, false);
}

void Network::check_arguments(const Tensor& x, const Tensor& theta, std::int64_t channels, std::int64_t height,
                              std::int64_t width) const {
    if (theta.dim() != 1 || theta.size(0) != num_params_)
        throw Error("parameter vector has " + std::to_string(theta.numel()) + " values; " + describe() + " needs " +
                    std::to_string(num_params_));
    if (x.dim() != 4 || x.size(1) != channels || x.size(2) != height || x.size(3) != width)
        throw Error("input of shape " + std::string(c10::str(x.sizes())) + " does not fit " + describe());
}

Tensor Network::predict(const Tensor& x, const Tensor& theta, std::int64_t batch, const Tensor& running_stats) const {
    torch::NoGradGuard no_grad;
    std::vector<Tensor> parts;
    for (std::int64_t s = 0; s < x.size(0); s += batch)
        parts.push_back(forward(x.narrow(0, s, std::min(batch, x.size(0) - s)), theta.detach(), running_stats, false));
    if (!parts.empty()) return torch::cat(parts);
    const auto& last = layout_.back();  // every network here ends in a linear layer's bias
    return torch::zeros({0, last.numel}, theta.options());
}

Tensor Network::initial_parameters(Rng& rng) const {
    std::vector<float> values(static_cast<size_t>(num_params_));
    for (const auto& p : layout_) {
        const auto begin = values.begin() + p.offset;
        if (p.init != ParamInit::Uniform) {
            std::fill(begin, begin + p.numel, p.init == ParamInit::One ? 1.0f : 0.0f);
            continue;
        }
        // kaiming_uniform(a = sqrt(5)) gives bound sqrt(6 / ((1 + 5) fan_in)) = 1 / sqrt(fan_in), and
        // PyTorch draws biases from the same range.
        const double bound = 1.0 / std::sqrt(static_cast<double>(p.fan_in));
        for (std::int64_t i = 0; i < p.numel; ++i) begin[i] = static_cast<float>((rng.uniform() * 2.0 - 1.0) * bound);
    }
    return torch::tensor(values, torch::kFloat32);
}

Tensor Network::initial_running_stats() const {
    if (num_running_stats_ == 0) return Tensor();
    auto stats = torch::zeros({num_running_stats_}, torch::kFloat32);
    for (const auto& n : batch_norms_) stats.narrow(0, n.running_offset + n.channels, n.channels).fill_(1.0);
    return stats;
}

}  // namespace distillery
