#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>

#include "common/rng.h"
#include "data/transform.h"
#include "distill/config.h"
#include "distill/expert_sampler.h"
#include "nn/convnet.h"

namespace distillery {

// DATM (Guo et al., ICLR 2024; spec 8). Everything DATM adds to MTT lives here, except the loss
// threshold, which is one test in DistillRun::step().

// The upper bound of the start-epoch window at `iteration`: with sequential generation it grows
// linearly from current_max_start_epoch to max_start_epoch over expansion_end_epoch iterations.
std::int64_t start_epoch_upper_bound(const DistillConfig& c, std::int64_t iteration);
// A start epoch drawn uniformly from [min_start_epoch, upper bound - 1]. MTT and TESLA are the
// case min = 0 without sequential generation.
std::int64_t sample_start_epoch(const DistillConfig& c, std::int64_t iteration, Rng& rng);

// samples_predicted_correctly: for each class, the first `ipc` images of a random order of its
// real images that the final checkpoint of expert 0 classifies correctly, moving on to the next
// expert when a class runs out. Returns indices into data.train_x, class by class.
at::Tensor correctly_classified_indices(const PreparedData& data, const ConvNet& net, const ExpertSampler& experts,
                                        std::int64_t ipc, Rng& rng);

// Label logits for `images` with classes `labels`: the mean logits of the experts (final
// checkpoints) that classify each image correctly; an image no expert gets right takes the
// first expert's logits.
at::Tensor expert_label_logits(const at::Tensor& images, const at::Tensor& labels, const ConvNet& net,
                               const ExpertSampler& experts);

}  // namespace distillery
