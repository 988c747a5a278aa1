// The reference's AlexNet (mtt:networks.py): conv 5x5 128 (padding 4 for 1-channel 28x28 input,
// which makes it 32x32, else 2), max-pool, conv 5x5 192, max-pool, conv 3x3 256, 192, 192,
// max-pool, linear; ReLU after every conv, no normalisation, biases everywhere.
#include <torch/torch.h>

#include "nn/architectures.h"
#include "nn/conv_shapes.h"
#include "nn/convolution.h"

namespace distillery {
namespace {

struct ConvLayer {
    size_t weight;
    std::int64_t padding;
    bool pool_after;
};

class AlexNet : public Network {
public:
    explicit AlexNet(const NetworkInput& in) : in_(in) {
        struct Spec {
            std::int64_t out, kernel, padding;
            bool pool;
        };
        const Spec specs[] = {{128, 5, in.channels == 1 ? 4 : 2, true},
                              {192, 5, 2, true},
                              {256, 3, 1, false},
                              {192, 3, 1, false},
                              {192, 3, 1, true}};
        std::int64_t c = in.channels, h = in.height, w = in.width;
        int index = 0;
        for (const auto& s : specs) {
            const size_t k = add_layer("features." + std::to_string(index), {s.out, c, s.kernel, s.kernel}, true);
            convs_.push_back({k, s.padding, s.pool});
            h = conv_side(h, s.kernel, 1, s.padding);
            w = conv_side(w, s.kernel, 1, s.padding);
            index += 2;  // the ReLU's place in the reference's Sequential
            if (s.pool) {
                h /= 2;
                w /= 2;
                index += 1;
            }
            c = s.out;
            require_pixels(h, w, "alexnet", in);
        }
        fc_ = add_layer("fc", {in.classes, c * h * w}, true);
    }
    std::string describe() const override { return describe_input("alexnet", in_); }
    Tensor forward(const Tensor& x, const Tensor& theta, const Tensor&, bool) const override {
        check_arguments(x, theta, in_.channels, in_.height, in_.width);
        Tensor h = x;
        for (const auto& c : convs_) {
            h = torch::relu(convolution(h, slot(theta, c.weight), slot(theta, c.weight + 1), 1, c.padding));
            if (c.pool_after) h = torch::max_pool2d(h, 2, 2);
        }
        return torch::linear(h.flatten(1), slot(theta, fc_), slot(theta, fc_ + 1));
    }

private:
    NetworkInput in_;
    std::vector<ConvLayer> convs_;
    size_t fc_ = 0;
};

}  // namespace

std::unique_ptr<Network> make_alexnet(const NetworkInput& input) { return std::make_unique<AlexNet>(input); }

}  // namespace distillery
