#include "nn/convnet.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "common/error.h"

namespace distillery {

std::string ConvNetSpec::describe() const {
    std::ostringstream s;
    s << "convnet c=" << channels << " h=" << height << " w=" << width << " k=" << classes << " width=" << net_width
      << " depth=" << depth;
    return s.str();
}

ConvNetSpec ConvNetSpec::parse(const std::string& text) {
    std::istringstream in(text);
    std::string word;
    in >> word;
    if (word != "convnet") throw Error("unknown network '" + text + "'");
    ConvNetSpec spec;
    while (in >> word) {
        const auto eq = word.find('=');
        if (eq == std::string::npos) throw Error("bad network description '" + text + "'");
        const std::string key = word.substr(0, eq);
        const std::int64_t v = std::atoll(word.c_str() + eq + 1);
        if (v <= 0) throw Error("bad value for '" + key + "' in network description '" + text + "'");
        if (key == "c") spec.channels = v;
        else if (key == "h") spec.height = v;
        else if (key == "w") spec.width = v;
        else if (key == "k") spec.classes = v;
        else if (key == "width") spec.net_width = v;
        else if (key == "depth") spec.depth = v;
        else throw Error("unknown key '" + key + "' in network description '" + text + "'");
    }
    return spec;
}

bool ConvNetSpec::operator==(const ConvNetSpec& o) const {
    return channels == o.channels && height == o.height && width == o.width && classes == o.classes &&
           net_width == o.net_width && depth == o.depth;
}

namespace {
std::int64_t first_padding(const ConvNetSpec& s) { return s.channels == 1 ? 3 : 1; }
}  // namespace

ConvNet::ConvNet(const ConvNetSpec& spec) : spec_(spec) {
    if (spec.channels <= 0 || spec.height <= 0 || spec.width <= 0 || spec.classes <= 1 || spec.net_width <= 0 ||
        spec.depth <= 0)
        throw Error("invalid network: " + spec.describe());
    auto add = [this](const std::string& name, std::vector<std::int64_t> shape) {
        ParamSlot p;
        p.name = name;
        p.shape = shape;
        p.offset = num_params_;
        p.numel = 1;
        for (auto d : shape) p.numel *= d;
        num_params_ += p.numel;
        layout_.push_back(p);
    };
    std::int64_t c = spec.channels, h = spec.height, w = spec.width;
    for (std::int64_t d = 0; d < spec.depth; ++d) {
        const std::int64_t pad = d == 0 ? first_padding(spec) : 1;
        add("conv" + std::to_string(d) + ".weight", {spec.net_width, c, 3, 3});
        add("conv" + std::to_string(d) + ".bias", {spec.net_width});
        add("norm" + std::to_string(d) + ".weight", {spec.net_width});
        add("norm" + std::to_string(d) + ".bias", {spec.net_width});
        c = spec.net_width;
        h = (h + 2 * pad - 2) / 2;
        w = (w + 2 * pad - 2) / 2;
        if (h <= 0 || w <= 0) throw Error("images of " + std::to_string(spec.height) + "x" + std::to_string(spec.width) +
                                          " are too small for depth " + std::to_string(spec.depth));
    }
    feature_size_ = c * h * w;
    add("fc.weight", {spec.classes, feature_size_});
    add("fc.bias", {spec.classes});
}

Tensor ConvNet::slot(const Tensor& theta, size_t index) const {
    const auto& p = layout_[index];
    return theta.narrow(0, p.offset, p.numel).view(p.shape);
}

Tensor ConvNet::forward(const Tensor& x, const Tensor& theta) const {
    if (theta.dim() != 1 || theta.size(0) != num_params_)
        throw Error("parameter vector has " + std::to_string(theta.numel()) + " values; " + spec_.describe() +
                    " needs " + std::to_string(num_params_));
    if (x.dim() != 4 || x.size(1) != spec_.channels || x.size(2) != spec_.height || x.size(3) != spec_.width)
        throw Error("input of shape " + std::string(c10::str(x.sizes())) + " does not fit " + spec_.describe());
    Tensor h = x;
    size_t k = 0;
    for (std::int64_t d = 0; d < spec_.depth; ++d) {
        const std::int64_t pad = d == 0 ? first_padding(spec_) : 1;
        h = torch::conv2d(h, slot(theta, k), slot(theta, k + 1), 1, pad);
        h = torch::group_norm(h, spec_.net_width, slot(theta, k + 2), slot(theta, k + 3), 1e-5);
        h = torch::relu(h);
        h = torch::avg_pool2d(h, 2, 2);
        k += 4;
    }
    h = h.flatten(1);
    return torch::linear(h, slot(theta, k), slot(theta, k + 1));
}

Tensor ConvNet::predict(const Tensor& x, const Tensor& theta, std::int64_t batch) const {
    torch::NoGradGuard no_grad;
    std::vector<Tensor> parts;
    for (std::int64_t s = 0; s < x.size(0); s += batch)
        parts.push_back(forward(x.narrow(0, s, std::min(batch, x.size(0) - s)), theta.detach()));
    return parts.empty() ? torch::zeros({0, spec_.classes}, theta.options()) : torch::cat(parts);
}

Tensor ConvNet::initial_parameters(Rng& rng) const {
    std::vector<float> values(static_cast<size_t>(num_params_));
    auto fill_uniform = [&](const ParamSlot& p, double bound) {
        for (std::int64_t i = 0; i < p.numel; ++i)
            values[p.offset + i] = static_cast<float>((rng.uniform() * 2.0 - 1.0) * bound);
    };
    auto fill = [&](const ParamSlot& p, float v) {
        for (std::int64_t i = 0; i < p.numel; ++i) values[p.offset + i] = v;
    };
    for (size_t k = 0; k < layout_.size(); ++k) {
        const auto& p = layout_[k];
        const bool norm = p.name.rfind("norm", 0) == 0;
        if (norm) {
            fill(p, p.name.find("weight") != std::string::npos ? 1.0f : 0.0f);
            continue;
        }
        // kaiming_uniform(a = sqrt(5)) gives bound sqrt(6 / ((1 + 5) fan_in)) = 1 / sqrt(fan_in), and
        // PyTorch draws biases from the same range; the fan-in is that of the layer's weight.
        const auto& weight = p.name.find("bias") != std::string::npos ? layout_[k - 1] : p;
        std::int64_t fan_in = 1;
        for (size_t i = 1; i < weight.shape.size(); ++i) fan_in *= weight.shape[i];
        fill_uniform(p, 1.0 / std::sqrt(static_cast<double>(fan_in)));
    }
    return torch::tensor(values, torch::kFloat32);
}

}  // namespace distillery
