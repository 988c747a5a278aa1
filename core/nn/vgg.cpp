// The reference's VGG-11 (mtt:networks.py): 64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M,
// where each number is a 3x3 conv (padding 3 on the first conv of 1-channel input, else 1) with
// a bias, norm and ReLU, and M a 2x2 max-pool; then a linear layer on the flattened features.
#include <torch/torch.h>

#include "nn/architectures.h"
#include "nn/conv_shapes.h"
#include "nn/convolution.h"

namespace distillery {
namespace {

struct VggBlock {
    size_t conv;
    std::int64_t padding;
    NormLayer norm;
    bool pool_after;
};

class Vgg11 : public Network {
public:
    Vgg11(const NetworkInput& in, bool batch_norm) : in_(in), batch_norm_(batch_norm) {
        const std::int64_t widths[] = {64, 128, 256, 256, 512, 512, 512, 512};
        const bool pools[] = {true, true, false, true, false, true, false, true};
        std::int64_t c = in.channels, h = in.height, w = in.width;
        int index = 0;  // the layer's place in the reference's Sequential, which names its parameters
        for (int i = 0; i < 8; ++i) {
            VggBlock b;
            b.padding = in.channels == 1 && i == 0 ? 3 : 1;
            b.conv = add_layer("features." + std::to_string(index), {widths[i], c, 3, 3}, true);
            b.norm = add_norm("features." + std::to_string(index + 1), widths[i], batch_norm);
            b.pool_after = pools[i];
            index += 3;
            h = conv_side(h, 3, 1, b.padding);
            w = conv_side(w, 3, 1, b.padding);
            if (b.pool_after) {
                h /= 2;
                w /= 2;
                index += 1;
            }
            c = widths[i];
            require_pixels(h, w, name(), in);
            blocks_.push_back(b);
        }
        classifier_ = add_layer("classifier", {in.classes, c * h * w}, true);
    }
    std::string describe() const override { return describe_input(name(), in_); }
    Tensor forward(const Tensor& x, const Tensor& theta, const Tensor& running_stats, bool training) const override {
        check_arguments(x, theta, in_.channels, in_.height, in_.width);
        Tensor h = x;
        for (const auto& b : blocks_) {
            h = convolution(h, slot(theta, b.conv), slot(theta, b.conv + 1), 1, b.padding);
            h = torch::relu(normalise(h, b.norm, theta, running_stats, training));
            if (b.pool_after) h = torch::max_pool2d(h, 2, 2);
        }
        return torch::linear(h.flatten(1), slot(theta, classifier_), slot(theta, classifier_ + 1));
    }

private:
    std::string name() const { return batch_norm_ ? "vgg11bn" : "vgg11"; }
    NetworkInput in_;
    bool batch_norm_;
    std::vector<VggBlock> blocks_;
    size_t classifier_ = 0;
};

}  // namespace

std::unique_ptr<Network> make_vgg11(const NetworkInput& input, bool batch_norm) {
    return std::make_unique<Vgg11>(input, batch_norm);
}

}  // namespace distillery
