#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "augment/dsa.h"
#include "common/rng.h"
#include "data/transform.h"
#include "distill/config.h"
#include "distill/expert_sampler.h"
#include "distill/memory.h"
#include "eval/evaluate.h"
#include "nn/convnet.h"
#include "train/training.h"

namespace distillery {

// What one step did, for plots and metrics.
struct StepRecord {
    std::int64_t iteration = 0;  // the iteration this step performed (0-based)
    double loss = 0;             // the matching loss before the update
    double lr = 0;               // the learned student lr after the update
    std::int64_t expert = 0;
    std::int64_t start_epoch = 0;
    std::int64_t upper_bound = 0;  // the start-epoch window's upper bound at this iteration
    std::string mode;            // gradient mode used
    std::int64_t syn_steps = 0;
    double grad_norm_images = 0, grad_lr = 0, grad_norm_labels = 0;
    double seconds = 0;          // wall time of the whole step
    std::int64_t peak_bytes = -1;  // extra tensor memory of the gradient computation (see MemoryProbe)
    std::string memory_kind;
    bool updated = true;         // false when the update was skipped
    std::string skip_reason;     // DATM threshold, or a non-finite loss/gradient
    double tesla_cosine = 0;     // cosine(TESLA image gradient, exact image gradient) if measured
    bool has_tesla_cosine = false;
};

// A hyperparameter change and the iteration it took effect at.
struct ChangeRecord {
    std::int64_t iteration = 0;
    std::string key, old_value, new_value;
};

// A distillation run: the synthetic images, their labels, the learned student lr, their
// optimisers, the experts and the run's random stream. step() performs one iteration: sample an
// expert and a start epoch, compute the matching loss and its gradient in the configured mode,
// update. The GUI, the CLI and the tests all drive this object.
//
// Threads: step() is called by one thread (the run's owner). set(), changes(), history() and the
// snapshot getters may be called from any thread at any time; they never see a half-updated state.
class DistillRun {
public:
    DistillRun(std::shared_ptr<const PreparedData> data, const std::string& experts_dir, const DistillConfig& config);

    StepRecord step();

    // Changes a hyperparameter from the next step on. Returns "" when accepted, else why not; a
    // refused value changes nothing.
    std::string set(const std::string& key, const std::string& value);

    std::int64_t iteration() const;
    DistillConfig config() const;
    std::vector<StepRecord> history() const;
    std::vector<ChangeRecord> changes() const;

    // Copies of the current state (CPU tensors).
    at::Tensor images() const;         // model space [N, C, H, W]
    at::Tensor label_targets() const;  // what evaluation trains on: int64 [N] or probabilities [N, K]
    at::Tensor hard_labels() const;    // int64 [N]
    double lr() const;

    const ConvNet& net() const { return net_; }
    const PreparedData& data() const { return *data_; }
    const ExpertSampler& experts() const { return experts_; }

    // Evaluates the current synthetic set (learned lr, its labels) with the protocol of spec 6.
    EvalResult evaluate(const EvalConfig& cfg, const ProgressFn& progress = nullptr) const;
    // The baselines: a random real subset of the same size, with hard labels (lr_teacher), and,
    // when `soft` is set and the run's labels are soft, with the same kind of soft labels.
    EvalResult evaluate_random_real(const EvalConfig& cfg, bool soft, const ProgressFn& progress = nullptr) const;

private:
    at::Tensor soft_targets_for(const at::Tensor& images, const at::Tensor& labels) const;

    std::shared_ptr<const PreparedData> data_;
    ConvNet net_;
    ExpertSampler experts_;
    mutable std::mutex state_mutex_;  // guards everything below that step() writes
    DistillConfig config_;
    std::vector<std::pair<std::string, std::string>> pending_;
    std::vector<ChangeRecord> changes_;
    std::vector<StepRecord> history_;
    std::int64_t iteration_ = 0;
    Rng rng_;
    at::Tensor images_, hard_labels_, label_logits_, teacher_targets_;
    double lr_;
    std::unique_ptr<FlatSgd> images_opt_, lr_opt_, labels_opt_;
    at::Tensor lr_tensor_;  // alpha as a 0-d tensor for its optimiser
    MemoryProbe memory_;
};

}  // namespace distillery
