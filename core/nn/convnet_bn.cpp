// The reference's ConvNetBN: the ConvNet (convnet.h) with BatchNorm2d in place of instance norm.
#include <torch/torch.h>

#include "nn/architectures.h"
#include "nn/conv_shapes.h"
#include "nn/convolution.h"

namespace distillery {
namespace {

class ConvNetBn : public Network {
public:
    ConvNetBn(const NetworkInput& in, std::int64_t width, std::int64_t depth) : in_(in), width_(width) {
        std::int64_t c = in.channels, h = in.height, w = in.width;
        for (std::int64_t d = 0; d < depth; ++d) {
            const std::int64_t pad = d == 0 && in.channels == 1 ? 3 : 1;
            convs_.push_back(add_layer("features." + std::to_string(4 * d), {width, c, 3, 3}, true));
            norms_.push_back(add_norm("features." + std::to_string(4 * d + 1), width, true));
            pads_.push_back(pad);
            h = conv_side(h, 3, 1, pad) / 2;
            w = conv_side(w, 3, 1, pad) / 2;
            c = width;
            require_pixels(h, w, "convnetbn of depth " + std::to_string(depth), in);
        }
        fc_ = add_layer("classifier", {in.classes, c * h * w}, true);
    }
    std::string describe() const override {
        return describe_input("convnetbn", in_) + " width=" + std::to_string(width_) +
               " depth=" + std::to_string(convs_.size());
    }
    Tensor forward(const Tensor& x, const Tensor& theta, const Tensor& running_stats, bool training) const override {
        check_arguments(x, theta, in_.channels, in_.height, in_.width);
        Tensor h = x;
        for (size_t d = 0; d < convs_.size(); ++d) {
            h = convolution(h, slot(theta, convs_[d]), slot(theta, convs_[d] + 1), 1, pads_[d]);
            h = torch::avg_pool2d(torch::relu(normalise(h, norms_[d], theta, running_stats, training)), 2, 2);
        }
        return torch::linear(h.flatten(1), slot(theta, fc_), slot(theta, fc_ + 1));
    }

private:
    NetworkInput in_;
    std::int64_t width_;
    std::vector<size_t> convs_;
    std::vector<NormLayer> norms_;
    std::vector<std::int64_t> pads_;
    size_t fc_ = 0;
};

}  // namespace

std::unique_ptr<Network> make_convnet_bn(const NetworkInput& input, std::int64_t width, std::int64_t depth) {
    return std::make_unique<ConvNetBn>(input, width, depth);
}

}  // namespace distillery
