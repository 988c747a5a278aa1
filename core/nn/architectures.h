#pragma once
// The networks a synthetic set can be evaluated on: the ConvNet it was distilled with and the
// reference code's cross-architecture models (spec 2.1; mtt:networks.py), each built for the
// images and classes of a data set and trained by the same functional code (train/training.h).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/network.h"

namespace distillery {

struct NetworkInput {
    std::int64_t channels = 1;
    std::int64_t height = 28;
    std::int64_t width = 28;
    std::int64_t classes = 10;
};

// convnet, convnetbn, mlp, alexnet, vgg11, vgg11bn, resnet18, resnet18bn, in that order.
const std::vector<std::string>& architecture_names();

// "resnet18,vgg11" -> {"resnet18", "vgg11"}: names checked (an unknown one is refused with the
// nearest known name and the list), duplicates dropped, order kept.
std::vector<std::string> parse_architectures(const std::string& list);

// The network `arch` for `input`; convnet and convnetbn take the given width and depth (the others
// have the reference's fixed widths). Images too small for the architecture are refused by name.
std::unique_ptr<Network> make_network(const std::string& arch, const NetworkInput& input, std::int64_t convnet_width,
                                      std::int64_t convnet_depth);

// The reference's MLP: two hidden layers of 128 with ReLU.
std::unique_ptr<Network> make_mlp(const NetworkInput& input);
// The reference's AlexNet: five convolutions (128, 192, 256, 192, 192), three max-pools, no norm.
std::unique_ptr<Network> make_alexnet(const NetworkInput& input);
// VGG-11 with instance norm, or batch norm when `batch_norm`.
std::unique_ptr<Network> make_vgg11(const NetworkInput& input, bool batch_norm);
// ResNet-18 (stride-2 convolutions, 4x4 average pool) with instance norm, or batch norm.
std::unique_ptr<Network> make_resnet18(const NetworkInput& input, bool batch_norm);
// The ConvNet with batch norm in place of instance norm (the reference's ConvNetBN).
std::unique_ptr<Network> make_convnet_bn(const NetworkInput& input, std::int64_t width, std::int64_t depth);

}  // namespace distillery
