// The reference's MLP (mtt:networks.py): flatten, 128 ReLU, 128 ReLU, classes.
#include <torch/torch.h>

#include "nn/architectures.h"
#include "nn/conv_shapes.h"

namespace distillery {
namespace {

class Mlp : public Network {
public:
    explicit Mlp(const NetworkInput& in) : in_(in) {
        add_layer("fc_1", {128, in.channels * in.height * in.width}, true);
        add_layer("fc_2", {128, 128}, true);
        add_layer("fc_3", {in.classes, 128}, true);
    }
    std::string describe() const override {
        return describe_input("mlp", in_);
    }
    Tensor forward(const Tensor& x, const Tensor& theta, const Tensor&, bool) const override {
        check_arguments(x, theta, in_.channels, in_.height, in_.width);
        auto h = torch::relu(torch::linear(x.flatten(1), slot(theta, 0), slot(theta, 1)));
        h = torch::relu(torch::linear(h, slot(theta, 2), slot(theta, 3)));
        return torch::linear(h, slot(theta, 4), slot(theta, 5));
    }

private:
    NetworkInput in_;
};

}  // namespace

std::unique_ptr<Network> make_mlp(const NetworkInput& input) { return std::make_unique<Mlp>(input); }

}  // namespace distillery
