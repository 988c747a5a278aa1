#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/progress.h"
#include "config/settings.h"
#include "data/transform.h"
#include "nn/convnet.h"
#include "train/training_recipe.h"

namespace distillery {

// The evaluation protocol of spec 6: fresh networks trained on a (synthetic) set with SGD
// (momentum 0.9, weight decay 5e-4) at the given lr, `epochs`+1 passes as the reference runs, the lr
// x0.1 after pass epochs/2+1 with a fresh optimiser, DSA on training batches, then test accuracy.
struct EvalConfig : TrainingRecipe {
    std::int64_t networks = 5;   // num_eval
    std::int64_t epochs = 1000;  // epoch_eval_train
    // The architecture trained (nn/architectures.h); the ConvNet takes the recipe's width and depth.
    std::string arch = "convnet";

    EvalConfig() {
        momentum = 0.9;
        weight_decay = 5e-4;
    }

    // Keys: num_eval, epoch_eval_train and the recipe's (TrainingRecipe::read).
    static EvalConfig from_settings(const Settings& s, const std::string& dataset_name);
};

struct EvalResult {
    std::vector<double> accuracies;  // test accuracy of each network, in [0, 1]
    double mean = 0;
    double std = 0;                  // population standard deviation, as numpy's std
    double seconds = 0;
    // Networks whose parameters stopped being finite in training (the lr too large for them, as for
    // AlexNet, which has no normalisation). They train no further, since NaN stays NaN, and count at
    // the accuracy they test at (chance), so the mean is what training them to the end gives.
    std::int64_t diverged = 0;
    std::string summary() const;     // "81.23 +- 0.45 % (5 networks)", "10.00 +- 0.00 % (2 networks, 2 diverged)"
};

// Trains cfg.networks fresh networks of cfg.arch on (images, targets) with learning rate `lr` and tests them;
// a network that diverges stops training there (EvalResult::diverged).
// targets: int64 class indices [N], or probabilities [N, K] (soft-target cross-entropy).
EvalResult evaluate_set(const PreparedData& data, const Tensor& images, const Tensor& targets, double lr,
                        const EvalConfig& cfg, const ProgressFn& progress = nullptr);

// The baseline every distilled set is compared to: `ipc` random real training images per class
// (hard labels), in model space.
std::pair<Tensor, Tensor> random_real_subset(const PreparedData& data, std::int64_t ipc, std::uint64_t seed);

// The random real subset a run of seed `run_seed` is compared with. `distill`, the workbench and
// `eval` (with --baselines, or --ipc without a set) all draw this one, so their baselines agree.
std::pair<Tensor, Tensor> baseline_real_subset(const PreparedData& data, std::int64_t ipc, std::uint64_t run_seed);

}  // namespace distillery
