#include "distill/run.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "common/error.h"
#include "distill/datm.h"
#include "distill/matching.h"
#include "distill/tesla_labels.h"

namespace distillery {
namespace {

// The network is whatever the experts were trained as; it must fit the data.
ConvNet net_from_experts(const std::string& dir, const PreparedData& data) {
    const ExpertStore store(dir);
    if (store.count() == 0) throw Error(dir + ": no expert trajectories here (train some with `distillery-cli experts`)");
    const auto first = store.open(0);
    const auto spec = ConvNetSpec::parse(first.value("net"));
    if (spec.channels != data.channels() || spec.height != data.height() || spec.width != data.width() ||
        spec.classes != data.num_classes())
        throw Error(first.path() + ": the experts are " + spec.describe() + ", which does not fit " + data.name + " (" +
                    std::to_string(data.channels()) + "x" + std::to_string(data.height()) + "x" +
                    std::to_string(data.width()) + ", " + std::to_string(data.num_classes()) + " classes)");
    const auto transform = first.value("transform");
    if (!transform.empty() && transform != data.transform.describe())
        throw Error(first.path() + ": the experts were trained on " + transform + " data, the run uses " +
                    data.transform.describe() + " (set zca accordingly)");
    return ConvNet(spec);
}

// Keys that size or seed the run's state; changing them means a new run.
bool fixed_during_run(const std::string& key) {
    return key == "ipc" || key == "pix_init" || key == "label_mode" || key == "method" || key == "seed";
}

double norm_of(const at::Tensor& t) { return t.defined() ? t.norm().item<double>() : 0.0; }

bool finite(const at::Tensor& t) { return !t.defined() || torch::isfinite(t).all().item<bool>(); }

}  // namespace

DistillRun::DistillRun(std::shared_ptr<const PreparedData> data, const std::string& experts_dir,
                       const DistillConfig& config)
    : data_(std::move(data)),
      net_(net_from_experts(experts_dir, *data_)),
      experts_(experts_dir, net_),
      config_(config),
      rng_(config.seed),
      lr_(config.lr_teacher),
      memory_(data_->train_x.device().is_cpu() ? "cpu" : "cuda") {
    const std::string problem = config_.validate();
    if (!problem.empty()) throw Error("distillation settings: " + problem);
    if (config_.max_start_epoch + config_.expert_epochs > experts_.checkpoints())
        throw Error("max_start_epoch + expert_epochs = " + std::to_string(config_.max_start_epoch + config_.expert_epochs) +
                    " needs experts with that many epochs; these have " + std::to_string(experts_.checkpoints() - 1));
    const auto& d = *data_;
    const auto ipc = config_.ipc;
    // Images, class by class: ipc of class 0, then ipc of class 1, ...
    if (config_.init == ImageInit::Correct) {
        const auto idx = correctly_classified_indices(d, net_, experts_, ipc, rng_).to(d.train_x.device());
        images_ = d.train_x.index_select(0, idx).clone();
        hard_labels_ = d.train_y.index_select(0, idx).clone();
    } else {
        const auto [x, y] = random_real_subset(d, ipc, rng_.fork_seed());
        images_ = x.clone();
        hard_labels_ = y.clone();
        if (config_.init == ImageInit::Noise) {
            torch::manual_seed(rng_.fork_seed());
            images_ = torch::randn_like(images_);
        }
    }
    if (config_.labels == LabelMode::Learned) label_logits_ = expert_label_logits(images_, hard_labels_, net_, experts_);
    images_opt_ = std::make_unique<FlatSgd>(config_.lr_img, config_.momentum_img);
    lr_opt_ = std::make_unique<FlatSgd>(config_.lr_lr, config_.momentum_lr);
    labels_opt_ = std::make_unique<FlatSgd>(config_.lr_y, config_.momentum_y);
    lr_tensor_ = torch::full({}, lr_, torch::kFloat64);
}

std::string DistillRun::set(const std::string& key, const std::string& value) {
    std::lock_guard<std::mutex> lock(state_mutex_);
    if (fixed_during_run(key)) return key + " cannot change during a run (it shapes the synthetic set); start a new run";
    // Validate against the configuration as it will be once the changes already queued apply.
    DistillConfig candidate = config_;
    for (const auto& [k, v] : pending_) candidate.apply(k, v);
    const std::string problem = candidate.apply(key, value);
    if (!problem.empty()) return problem;
    if (candidate.max_start_epoch + candidate.expert_epochs > experts_.checkpoints())
        return "max_start_epoch + expert_epochs would be " +
               std::to_string(candidate.max_start_epoch + candidate.expert_epochs) + "; the experts have " +
               std::to_string(experts_.checkpoints() - 1) + " epochs";
    pending_.emplace_back(key, value);
    return "";
}

StepRecord DistillRun::step() {
    const auto t0 = std::chrono::steady_clock::now();
    DistillConfig cfg;
    std::int64_t iteration;
    {
        std::lock_guard<std::mutex> lock(state_mutex_);
        for (const auto& [key, value] : pending_) {
            const auto old = config_.get(key);
            if (config_.apply(key, value).empty()) changes_.push_back({iteration_, key, old, config_.get(key)});
        }
        pending_.clear();
        images_opt_->set_lr(config_.lr_img);
        images_opt_->set_momentum(config_.momentum_img);
        lr_opt_->set_lr(config_.lr_lr);
        lr_opt_->set_momentum(config_.momentum_lr);
        labels_opt_->set_lr(config_.lr_y);
        labels_opt_->set_momentum(config_.momentum_y);
        cfg = config_;
        iteration = iteration_;
    }
    const auto device = images_.device();
    StepRecord rec;
    rec.iteration = iteration;
    rec.mode = to_string(cfg.mode);
    rec.syn_steps = cfg.syn_steps;
    rec.expert = experts_.next(rng_);
    rec.upper_bound = start_epoch_upper_bound(cfg, iteration);
    rec.start_epoch = sample_start_epoch(cfg, iteration, rng_);
    const auto& expert = experts_.expert(rec.expert);
    const auto start = expert.checkpoint(rec.start_epoch).to(device, images_.scalar_type());
    const auto target = expert.checkpoint(rec.start_epoch + cfg.expert_epochs).to(device, images_.scalar_type());

    const Dsa dsa(cfg.dsa_strategy);
    MatchProblem p;
    p.net = &net_;
    p.dsa = &dsa;
    p.images = images_;
    p.lr = lr_;
    p.start = start;
    p.target = target;
    if (cfg.labels == LabelMode::Learned) p.labels.logits = label_logits_;
    else if (cfg.labels == LabelMode::Teacher) p.labels.targets = teacher_soft_labels(net_, images_, target);
    else p.labels.targets = hard_labels_;
    p.steps = plan_student_steps(images_.size(0), cfg.syn_steps, cfg.batch_syn, dsa, images_.size(2), images_.size(3),
                                 rng_, device);

    memory_.begin();
    const MatchGradients g = cfg.mode == GradientMode::Unrolled ? match_unrolled(p)
                                                                : match_adjoint(p, cfg.mode == GradientMode::Exact);
    rec.peak_bytes = memory_.peak_bytes();
    rec.memory_kind = memory_.kind();
    if (cfg.measure_tesla_cosine) {
        // TESLA against the exact gradient (unrolled and exact agree, so either serves).
        const auto other = match_adjoint(p, cfg.mode == GradientMode::Tesla);
        rec.tesla_cosine = torch::nn::functional::cosine_similarity(
                               g.images.flatten().unsqueeze(0), other.images.flatten().unsqueeze(0),
                               torch::nn::functional::CosineSimilarityFuncOptions().dim(1))
                               .item<double>();
        rec.has_tesla_cosine = true;
    }
    rec.loss = g.loss;
    rec.grad_norm_images = norm_of(g.images);
    rec.grad_lr = g.lr;
    rec.grad_norm_labels = norm_of(g.logits);

    if (!std::isfinite(g.loss) || !std::isfinite(g.lr) || !finite(g.images) || !finite(g.logits)) {
        rec.updated = false;
        rec.skip_reason = "non-finite loss or gradient";
    } else if (g.loss > cfg.threshold) {
        rec.updated = false;
        rec.skip_reason = "loss above threshold";
    }
    std::lock_guard<std::mutex> lock(state_mutex_);
    if (rec.updated) {
        images_opt_->step(images_, g.images);
        lr_opt_->step(lr_tensor_, torch::full({}, g.lr, torch::kFloat64));
        if (lr_tensor_.item<double>() < cfg.lr_floor) lr_tensor_.fill_(cfg.lr_floor);
        lr_ = lr_tensor_.item<double>();
        if (g.logits.defined()) labels_opt_->step(label_logits_, g.logits);
    }
    if (cfg.labels == LabelMode::Teacher) teacher_targets_ = p.labels.targets;
    rec.lr = lr_;
    rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    iteration_ += 1;
    history_.push_back(rec);
    return rec;
}

std::int64_t DistillRun::iteration() const {
    std::lock_guard<std::mutex> lock(state_mutex_);
    return iteration_;
}

DistillConfig DistillRun::config() const {
    std::lock_guard<std::mutex> lock(state_mutex_);
    return config_;
}

std::vector<StepRecord> DistillRun::history() const {
    std::lock_guard<std::mutex> lock(state_mutex_);
    return history_;
}

std::vector<ChangeRecord> DistillRun::changes() const {
    std::lock_guard<std::mutex> lock(state_mutex_);
    return changes_;
}

at::Tensor DistillRun::images() const {
    std::lock_guard<std::mutex> lock(state_mutex_);
    return images_.to(torch::kCPU, /*non_blocking=*/false, /*copy=*/true);
}

at::Tensor DistillRun::hard_labels() const {
    std::lock_guard<std::mutex> lock(state_mutex_);
    return hard_labels_.to(torch::kCPU, false, true);
}

double DistillRun::lr() const {
    std::lock_guard<std::mutex> lock(state_mutex_);
    return lr_;
}

at::Tensor DistillRun::label_targets() const {
    std::unique_lock<std::mutex> lock(state_mutex_);
    if (config_.labels == LabelMode::Learned) return torch::softmax(label_logits_, 1).to(torch::kCPU);
    if (config_.labels == LabelMode::Hard) return hard_labels_.to(torch::kCPU, false, true);
    if (teacher_targets_.defined()) return teacher_targets_.to(torch::kCPU, false, true);
    const auto images = images_.clone(), labels = hard_labels_.clone();
    lock.unlock();
    return soft_targets_for(images, labels).to(torch::kCPU);
}

at::Tensor DistillRun::soft_targets_for(const at::Tensor& images, const at::Tensor& labels) const {
    const auto cfg = config();
    if (cfg.labels == LabelMode::Learned) return torch::softmax(expert_label_logits(images, labels, net_, experts_), 1);
    // Teacher labels from the farthest target the run uses, on the first expert.
    const auto& e = experts_.expert(0);
    const auto epoch = std::min(cfg.max_start_epoch - 1 + cfg.expert_epochs, e.checkpoints() - 1);
    return teacher_soft_labels(net_, images, e.checkpoint(epoch).to(images.device(), images.scalar_type()));
}

EvalResult DistillRun::evaluate(const EvalConfig& cfg, const ProgressFn& progress) const {
    return evaluate_set(*data_, images(), label_targets(), lr(), cfg, progress);
}

EvalResult DistillRun::evaluate_random_real(const EvalConfig& cfg, bool soft, const ProgressFn& progress) const {
    const auto run_cfg = config();
    const auto [x, y] = random_real_subset(*data_, run_cfg.ipc, run_cfg.seed + 1);
    const bool soft_labels = soft && run_cfg.labels != LabelMode::Hard;
    const auto targets = soft_labels ? soft_targets_for(x, y) : y;
    return evaluate_set(*data_, x, targets, run_cfg.lr_teacher, cfg, progress);
}

}  // namespace distillery
