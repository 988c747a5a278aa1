// The reference's ResNet-18 (mtt:networks.py, ResNet with BasicBlock [2, 2, 2, 2]): a 3x3 conv of
// 64 without bias, norm, ReLU; four stages of two basic blocks (64, 128, 256, 512 channels, the
// first block of stages 2-4 with stride 2 and a 1x1 conv + norm shortcut); a 4x4 average pool and
// a linear layer. Instance norm is GroupNorm with a group per channel; resnet18bn uses batch norm.
#include <torch/torch.h>

#include "nn/architectures.h"
#include "nn/conv_shapes.h"
#include "nn/convolution.h"

namespace distillery {
namespace {

struct BasicBlock {
    size_t conv1, conv2, shortcut_conv = 0;
    NormLayer norm1, norm2, shortcut_norm;
    std::int64_t stride = 1;
    bool has_shortcut = false;
};

class ResNet18 : public Network {
public:
    ResNet18(const NetworkInput& in, bool batch_norm) : in_(in), batch_norm_(batch_norm) {
        conv1_ = add_layer("conv1", {64, in.channels, 3, 3}, false);
        norm1_ = add_norm("bn1", 64, batch_norm);
        std::int64_t planes_in = 64, h = in.height, w = in.width;
        const std::int64_t planes[] = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; ++stage) {
            for (int i = 0; i < 2; ++i) {
                const std::string prefix = "layer" + std::to_string(stage + 1) + "." + std::to_string(i) + ".";
                BasicBlock b;
                b.stride = stage > 0 && i == 0 ? 2 : 1;
                const auto p = planes[stage];
                b.conv1 = add_layer(prefix + "conv1", {p, planes_in, 3, 3}, false);
                b.norm1 = add_norm(prefix + "bn1", p, batch_norm);
                b.conv2 = add_layer(prefix + "conv2", {p, p, 3, 3}, false);
                b.norm2 = add_norm(prefix + "bn2", p, batch_norm);
                b.has_shortcut = b.stride != 1 || planes_in != p;
                if (b.has_shortcut) {
                    b.shortcut_conv = add_layer(prefix + "shortcut.0", {p, planes_in, 1, 1}, false);
                    b.shortcut_norm = add_norm(prefix + "shortcut.1", p, batch_norm);
                }
                h = conv_side(h, 3, b.stride, 1);
                w = conv_side(w, 3, b.stride, 1);
                planes_in = p;
                blocks_.push_back(b);
            }
        }
        h /= 4;
        w /= 4;
        require_pixels(h, w, name(), in);
        classifier_ = add_layer("classifier", {in.classes, planes_in * h * w}, true);
    }
    std::string describe() const override { return describe_input(name(), in_); }
    Tensor forward(const Tensor& x, const Tensor& theta, const Tensor& running_stats, bool training) const override {
        check_arguments(x, theta, in_.channels, in_.height, in_.width);
        auto norm = [&](const Tensor& h, const NormLayer& n) { return normalise(h, n, theta, running_stats, training); };
        Tensor h = torch::relu(norm(convolution(x, slot(theta, conv1_), {}, 1, 1), norm1_));
        for (const auto& b : blocks_) {
            auto out = torch::relu(norm(convolution(h, slot(theta, b.conv1), {}, b.stride, 1), b.norm1));
            out = norm(convolution(out, slot(theta, b.conv2), {}, 1, 1), b.norm2);
            const auto shortcut =
                b.has_shortcut ? norm(convolution(h, slot(theta, b.shortcut_conv), {}, b.stride, 0), b.shortcut_norm) : h;
            h = torch::relu(out + shortcut);
        }
        h = torch::avg_pool2d(h, 4);
        return torch::linear(h.flatten(1), slot(theta, classifier_), slot(theta, classifier_ + 1));
    }

private:
    std::string name() const { return batch_norm_ ? "resnet18bn" : "resnet18"; }
    NetworkInput in_;
    bool batch_norm_;
    size_t conv1_ = 0, classifier_ = 0;
    NormLayer norm1_;
    std::vector<BasicBlock> blocks_;
};

}  // namespace

std::unique_ptr<Network> make_resnet18(const NetworkInput& input, bool batch_norm) {
    return std::make_unique<ResNet18>(input, batch_norm);
}

}  // namespace distillery
