#pragma once
// The small networks, data and experts that the test suites and the fuzz targets build their
// cases from: small enough to make or train in milliseconds, real enough to go through the code a
// real run takes. No Qt here: the fuzz targets are built without it.
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/settings.h"
#include "data/transform.h"
#include "distill/config.h"
#include "expert/expert_trainer.h"
#include "nn/convnet.h"

namespace distillery::fixtures {

inline ConvNetSpec convnet_spec(std::int64_t channels, std::int64_t height, std::int64_t width, std::int64_t classes,
                                std::int64_t net_width, std::int64_t depth) {
    return {channels, height, width, classes, net_width, depth};  // ConvNetSpec's order of fields
}

// `train` and `test` images of `channels` x `size` x `size` drawn from N(0, 1) (seed 1), labelled
// 0, 1, ..., classes-1 in turn, normalised with mean 0 and deviation 1: already in model space.
inline std::shared_ptr<PreparedData> random_data(const std::string& name, std::int64_t channels, std::int64_t size,
                                                 std::int64_t classes, std::int64_t train, std::int64_t test) {
    auto d = std::make_shared<PreparedData>();
    d->name = name;
    for (std::int64_t k = 0; k < classes; ++k) d->classes.push_back("class " + std::to_string(k));
    torch::manual_seed(1);
    d->train_x = torch::randn({train, channels, size, size});
    d->train_y = torch::arange(train, torch::kInt64) % classes;
    d->test_x = torch::randn({test, channels, size, size});
    d->test_y = torch::arange(test, torch::kInt64) % classes;
    d->transform = InputTransform::normalize(
        Normalization{std::vector<double>(static_cast<size_t>(channels), 0.0), std::vector<double>(static_cast<size_t>(channels), 1.0)});
    return d;
}

// Experts of a ConvNet of `net_width` and `net_depth`, trained for `train_epochs` in batches of
// `batch`; everything else as ExpertConfig has it.
inline ExpertConfig expert_config(std::int64_t num_experts, std::int64_t train_epochs, std::int64_t batch,
                                  std::int64_t net_width, std::int64_t net_depth) {
    ExpertConfig c;
    c.num_experts = num_experts;
    c.train_epochs = train_epochs;
    c.batch = batch;
    c.net_width = net_width;
    c.net_depth = net_depth;
    return c;
}

// A distillation with `method`'s defaults (on Fashion-MNIST), matching `syn_steps` student steps
// to `expert_epochs` expert epochs from start epochs 0 to max_start_epoch - 1 (DATM's growing
// window starts at 1 epoch), with IPC `ipc` and the run's draws from `seed`.
inline DistillConfig short_distill(const std::string& method, std::int64_t ipc, std::int64_t syn_steps,
                                   std::int64_t expert_epochs, std::int64_t max_start_epoch, std::uint64_t seed) {
    Settings s;
    s.set("method", method);
    auto c = DistillConfig::from_settings(s, "fashion-mnist");
    c.ipc = ipc;
    c.syn_steps = syn_steps;
    c.expert_epochs = expert_epochs;
    c.min_start_epoch = 0;
    c.max_start_epoch = max_start_epoch;
    c.current_max_start_epoch = 1;
    c.seed = seed;
    return c;
}

}  // namespace distillery::fixtures
