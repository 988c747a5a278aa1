#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "augment/dsa.h"
#include "common/rng.h"
#include "data/transform.h"
#include "distill/config.h"
#include "distill/expert_sampler.h"
#include "distill/memory.h"
#include "distill/step_exchange.h"
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
    std::string skip_reason;     // why: DATM's loss threshold
    // Non-empty when a guard stopped this step: a non-finite loss, gradient or update, a learned
    // lr that went negative or above lr_max, or running out of memory. It says what happened and
    // what to change. The step was rolled back: the run is as it was before it, `iteration` is the
    // iteration that failed and will be tried again, and the record is not part of history().
    std::string guard;
    double tesla_cosine = 0;     // cosine(TESLA image gradient, exact image gradient) if measured
    bool has_tesla_cosine = false;
    // In a distributed run (DistillRun::set_exchange): the seconds this rank spent in the step's
    // all-reduce, waiting for the slowest rank included. `expert` and `start_epoch` are then
    // this rank's draws, and the loss and gradients the means over the ranks.
    double allreduce_seconds = 0;
    bool distributed = false;
};

// Peak memory and time of one gradient computation (see DistillRun::measure_memory).
struct MemoryMeasurement {
    std::string mode;
    std::int64_t syn_steps = 0;
    std::int64_t peak_bytes = -1;
    std::string kind;  // MemoryProbe::kind()
    double seconds = 0;
};

struct MatchProblem;

// What the run knows of its experts, copied under the run's lock: step() advances the order.
struct ExpertsInfo {
    std::int64_t count = 0;        // how many experts the run matches
    std::int64_t checkpoints = 0;  // the fewest checkpoints among them
    std::vector<std::int64_t> order;  // the shuffled order being consumed (empty before the first step)
    std::int64_t position = 0;        // the next expert's place in `order`
};

// A hyperparameter change and the iteration it took effect at.
struct ChangeRecord {
    std::int64_t iteration = 0;
    std::string key, old_value, new_value;
};

// The complete state of a run between two steps, as copies on the CPU: what a checkpoint holds
// (core/distill/checkpoint.h). A run rebuilt from it with DistillRun::from_state() continues
// exactly as the original would have.
struct DistillRunState {
    // One FlatSgd: its settings and its momentum buffer (undefined before its first step).
    struct Optimizer {
        double lr = 0, momentum = 0, weight_decay = 0;
        at::Tensor buffer;
    };
    DistillConfig config;
    std::vector<std::pair<std::string, std::string>> pending;  // set() calls accepted, not yet applied
    std::vector<ChangeRecord> changes;
    std::vector<StepRecord> history;
    std::int64_t iteration = 0;
    std::string rng;                         // the run's random stream, Rng::state()
    std::int64_t experts = 0;                // how many experts the run matches
    std::vector<std::int64_t> expert_order;  // ExpertSampler::order() and position()
    std::int64_t expert_position = 0;
    at::Tensor images, hard_labels;          // [N, C, H, W] in model space; int64 [N]
    at::Tensor label_logits;                 // [N, K] with learned labels, else undefined
    at::Tensor teacher_targets;              // [N, K] of the last step with teacher labels, else undefined
    double lr = 0;                           // the learned student lr
    at::Tensor lr_tensor;                    // the same as a float64 0-d tensor (its optimiser's parameter)
    Optimizer images_opt, lr_opt, labels_opt;
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

    // A run that continues from `state` (see export_state) on `data`, which must be the data the
    // run was made on, matching the experts in `experts_dir`. Throws an Error when the state does
    // not fit them (shapes, classes, number of experts, expert order, random stream). Its values
    // (finite, a positive lr, optimiser settings in range) are the checkpoint reader's to check,
    // where a state comes from outside.
    static std::unique_ptr<DistillRun> from_state(std::shared_ptr<const PreparedData> data,
                                                  const std::string& experts_dir, DistillRunState state);

    // One iteration. When a guard trips (see StepRecord::guard) the step is rolled back and the
    // record says why; the caller should stop, let the user change a hyperparameter, and go on.
    StepRecord step();

    // Makes this run one rank of a distributed run: each step then draws its own expert, start
    // epoch and mini-batches for this rank, and averages the gradients over the ranks before the
    // update, so every rank holds the same synthetic set (docs/architecture.md). Call it before
    // the first step; without it (or with a world of one) step() is the single-process step.
    void set_exchange(std::shared_ptr<StepExchange> exchange);

    // Changes a hyperparameter from the next step on. Returns "" when accepted, else why not; a
    // refused value changes nothing.
    std::string set(const std::string& key, const std::string& value);

    // One matching-loss gradient in `mode` with `syn_steps` student steps on the current state,
    // measured and thrown away: nothing is updated and the run's random stream is not touched.
    // For the memory-against-N sweep; call it from the thread that calls step().
    MemoryMeasurement measure_memory(GradientMode mode, std::int64_t syn_steps);

    std::int64_t iteration() const;
    DistillConfig config() const;
    std::vector<StepRecord> history() const;
    std::size_t history_size() const;
    // Copies of the records [first, first + count), fewer where the history ends sooner. The
    // history only grows and a record never changes once added, so a reader that copies it a
    // piece at a time sees the same records as one copy would, without a second whole copy in
    // memory and without holding the lock while it uses them.
    std::vector<StepRecord> history_range(std::size_t first, std::size_t count) const;
    std::vector<ChangeRecord> changes() const;
    // A consistent copy of everything the run needs to continue, as between two steps. Safe from
    // any thread. The checkpoint writer, on the run's own thread, leaves the history out and
    // copies it piece by piece with history_range().
    DistillRunState export_state(bool include_history = true) const;

    // Copies of the current state (CPU tensors).
    at::Tensor images() const;         // model space [N, C, H, W]
    at::Tensor label_targets() const;  // what evaluation trains on: int64 [N] or probabilities [N, K]
    at::Tensor hard_labels() const;    // int64 [N]
    double lr() const;

    const std::string& memory_kind() const { return memory_.kind(); }  // what peak_bytes counts
    const ConvNet& net() const { return net_; }
    const PreparedData& data() const { return *data_; }
    ExpertsInfo experts_info() const;
    // One expert's trajectory file; the files never change after the run is made.
    const TrajectoryFile& expert(std::int64_t i) const { return experts_.expert(i); }

    // Evaluates the current synthetic set (learned lr, its labels) with the protocol of spec 6.
    EvalResult evaluate(const EvalConfig& cfg, const ProgressFn& progress = nullptr) const;
    // The baselines: a random real subset of the same size, with hard labels (lr_teacher), and,
    // when `soft` is set and the run's labels are soft, with the same kind of soft labels.
    EvalResult evaluate_random_real(const EvalConfig& cfg, bool soft, const ProgressFn& progress = nullptr) const;

private:
    struct Restored {};
    // Everything but the synthetic set's initial state: the network, the experts, the validated
    // configuration, the optimisers. The public constructor and from_state() finish it.
    DistillRun(std::shared_ptr<const PreparedData> data, const std::string& experts_dir, const DistillConfig& config,
               Restored);
    // Ends a step that a guard stopped: the expert order goes back to `order`/`position` (the
    // step's stream was a copy and is dropped), and the record says `why`.
    StepRecord roll_back(StepRecord rec, const std::string& why, std::vector<std::int64_t> order,
                         std::size_t position);
    // Draws this iteration's start epoch and student steps from `rng` (into `rec`), for the
    // expert rec.expert.
    MatchProblem draw_problem(const DistillConfig& cfg, std::int64_t iteration, const Dsa& dsa, Rng& rng,
                              StepRecord& rec) const;
    at::Tensor soft_targets_for(const at::Tensor& images, const at::Tensor& labels) const;

    std::shared_ptr<const PreparedData> data_;
    ConvNet net_;
    // Its trajectory files are fixed; its order, which step() advances, is guarded by state_mutex_.
    ExpertSampler experts_;
    mutable std::mutex state_mutex_;  // guards everything below that step() writes
    DistillConfig config_;
    std::vector<std::pair<std::string, std::string>> pending_;
    std::vector<ChangeRecord> changes_;
    // A deque, not a vector: appending never moves the whole history into a new, larger block,
    // which over a long run left the heap (and resident memory) a little larger each time.
    std::deque<StepRecord> history_;
    static constexpr int kStepsBetweenMemoryReleases = 10;
    std::int64_t iteration_ = 0;
    Rng rng_;
    at::Tensor images_, hard_labels_, label_logits_, teacher_targets_;
    double lr_;
    std::unique_ptr<FlatSgd> images_opt_, lr_opt_, labels_opt_;
    at::Tensor lr_tensor_;  // alpha as a 0-d tensor for its optimiser
    MemoryProbe memory_;
    std::uint64_t measurements_ = 0;
    std::shared_ptr<StepExchange> exchange_;  // set before the first step, read only by step()
};

}  // namespace distillery
