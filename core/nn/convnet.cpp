#include "nn/convnet.h"

#include <torch/torch.h>

#include <sstream>

#include "common/error.h"
#include "nn/convolution.h"
#include "nn/instance_norm.h"

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
    std::int64_t c = spec.channels, h = spec.height, w = spec.width;
    for (std::int64_t d = 0; d < spec.depth; ++d) {
        const std::int64_t pad = d == 0 ? first_padding(spec) : 1;
        add_layer("conv" + std::to_string(d), {spec.net_width, c, 3, 3}, true);
        add_norm("norm" + std::to_string(d), spec.net_width, false);
        c = spec.net_width;
        h = (h + 2 * pad - 2) / 2;
        w = (w + 2 * pad - 2) / 2;
        if (h <= 0 || w <= 0) throw Error("images of " + std::to_string(spec.height) + "x" + std::to_string(spec.width) +
                                          " are too small for depth " + std::to_string(spec.depth));
    }
    feature_size_ = c * h * w;
    add_layer("fc", {spec.classes, feature_size_}, true);
}

Tensor ConvNet::forward(const Tensor& x, const Tensor& theta) const {
    check_arguments(x, theta, spec_.channels, spec_.height, spec_.width);
    Tensor h = x;
    size_t k = 0;
    for (std::int64_t d = 0; d < spec_.depth; ++d) {
        const std::int64_t pad = d == 0 ? first_padding(spec_) : 1;
        h = convolution(h, slot(theta, k), slot(theta, k + 1), 1, pad);
        h = instance_norm(h, slot(theta, k + 2), slot(theta, k + 3));
        h = torch::relu(h);
        h = torch::avg_pool2d(h, 2, 2);
        k += 4;
    }
    h = h.flatten(1);
    return torch::linear(h, slot(theta, k), slot(theta, k + 1));
}

Tensor ConvNet::forward(const Tensor& x, const Tensor& theta, const Tensor&, bool) const { return forward(x, theta); }

}  // namespace distillery
