#include "train/training_recipe.h"

#include "augment/dsa.h"
#include "common/engine_messages.h"
#include "common/error.h"

namespace distillery {

std::int64_t bounded_integer(const Settings& s, const std::string& key, std::int64_t fallback, std::int64_t lowest,
                             std::int64_t highest) {
    const std::int64_t v = s.integer(key, fallback);
    if (v < lowest || v > highest)
        throw Error(s.source() + ": " + message(engine_messages::kBetween, {key, std::to_string(lowest),
                                                                            std::to_string(highest), std::to_string(v)}));
    return v;
}

void TrainingRecipe::read(const Settings& s, const std::string& dataset_name) {
    // Far above the papers' recipes (batch 256, width 128, depth 3 to 5), far below what would
    // exhaust memory before the first step.
    batch = bounded_integer(s, "batch_train", batch, 1, 1000000);
    net_width = bounded_integer(s, "net_width", net_width, 1, 4096);
    net_depth = bounded_integer(s, "net_depth", net_depth, 1, 8);
    seed = static_cast<std::uint64_t>(s.integer("seed", 0));
    dsa_strategy = s.text("dsa_strategy", Dsa::default_strategy(dataset_name));
    try {
        const Dsa check(dsa_strategy);
    } catch (const Error& e) {
        throw Error(s.source() + ": dsa_strategy: " + e.what());
    }
}

ConvNetSpec TrainingRecipe::net_for(const PreparedData& data) const {
    const ConvNetSpec spec = convnet_for(data, net_width, net_depth);
    try {
        const ConvNet fits(spec);
    } catch (const Error& e) {
        throw Error("net_width = " + std::to_string(net_width) + ", net_depth = " + std::to_string(net_depth) +
                    " do not fit " + data.name + ": " + e.what());
    }
    return spec;
}

}  // namespace distillery
