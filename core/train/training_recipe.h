#pragma once
// What expert training and evaluation share: how a network is trained (batch, SGD momentum and
// weight decay, DSA), which network (width and depth) and the seed of the draws. Both read these
// keys from the same settings, so they are read and checked here, once.
#include <cstdint>
#include <string>

#include "config/settings.h"
#include "data/transform.h"
#include "nn/convnet.h"

namespace distillery {

struct TrainingRecipe {
    std::int64_t batch = 256;  // batch_train
    double momentum = 0.0;
    double weight_decay = 0.0;
    std::string dsa_strategy = "color_crop_cutout_flip_scale_rotate";
    std::int64_t net_width = 128;
    std::int64_t net_depth = 3;
    std::uint64_t seed = 0;

    // Reads batch_train, dsa_strategy (missing: the data set's default), net_width, net_depth and
    // seed, and refuses a value out of range with an Error naming the source and the key. Momentum
    // and weight decay are the caller's: experts read mom and l2, evaluation keeps its protocol's.
    void read(const Settings& s, const std::string& dataset_name);

    // The ConvNet of this width and depth for `data`. A depth whose pooling leaves the images no
    // pixels (6 for 28x28) is refused here, naming net_depth, before any training starts.
    ConvNetSpec net_for(const PreparedData& data) const;
};

// The integer `key` (or `fallback` when missing), refused with an Error naming the source and the
// key when it lies outside [lowest, highest]: a typo with extra zeros should not start days of work.
std::int64_t bounded_integer(const Settings& s, const std::string& key, std::int64_t fallback, std::int64_t lowest,
                             std::int64_t highest);

}  // namespace distillery
