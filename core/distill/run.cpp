#include "distill/run.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <limits>
#include <new>
#include <sstream>

#include "common/engine_messages.h"
#include "common/message.h"
#include "common/error.h"
#include "common/runtime.h"
#include "distill/datm.h"
#include "distill/matching.h"
#include "distill/tesla_labels.h"
#include "distributed/gradient_average.h"

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

at::Tensor clone_if_defined(const at::Tensor& t) { return t.defined() ? t.clone() : t; }

at::Tensor cpu_copy(const at::Tensor& t) { return t.defined() ? t.to(torch::kCPU, false, /*copy=*/true) : t; }

std::string number_text(double v) {
    std::ostringstream s;
    s.precision(6);
    s << v;
    return s.str();
}

// The CUDA caching allocator throws c10::OutOfMemoryError (caught by type in step()); other
// exhausted memory reaches us as a plain c10::Error, so the message decides: the CPU allocator's
// words, and cuBLAS's and cuDNN's *_STATUS_ALLOC_FAILED.
bool says_out_of_memory(const std::string& what) {
    std::string lower(what);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const char* phrase : {"out of memory", "not enough memory", "can't allocate memory", "cannot allocate memory", "alloc_failed"})
        if (lower.find(phrase) != std::string::npos) return true;
    return false;
}

std::string out_of_memory_advice(const DistillConfig& cfg, const std::string& what) {
    std::string advice = "out of memory in this step (" + what.substr(0, what.find('\n')) +
                         "); use a smaller batch_syn (now " +
                         (cfg.batch_syn == 0 ? std::string("all images") : std::to_string(cfg.batch_syn)) +
                         ") or fewer syn_steps (now " + std::to_string(cfg.syn_steps) + ")";
    if (cfg.mode == GradientMode::Unrolled)
        advice += ", or gradient_mode=exact, whose memory does not grow with syn_steps";
    return advice;
}

// The same tensor on `device`, or an Error naming `what` when it is not of `shape` and `dtype`.
at::Tensor checked(const at::Tensor& t, const std::string& what, at::IntArrayRef shape, c10::ScalarType dtype,
                   const c10::Device& device) {
    if (!t.defined()) throw Error("the saved run has no " + what);
    if (t.sizes() != shape || t.scalar_type() != dtype)
        throw Error("the saved " + what + " is " + std::string(c10::toString(t.scalar_type())) + " " +
                    std::string(c10::str(t.sizes())) + "; the run needs " + std::string(c10::toString(dtype)) + " " +
                    std::string(c10::str(shape)));
    return t.to(device, false, /*copy=*/true);
}

}  // namespace

DistillRun::DistillRun(std::shared_ptr<const PreparedData> data, const std::string& experts_dir,
                       const DistillConfig& config, Restored)
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
    images_opt_ = std::make_unique<FlatSgd>(config_.lr_img, config_.momentum_img);
    lr_opt_ = std::make_unique<FlatSgd>(config_.lr_lr, config_.momentum_lr);
    labels_opt_ = std::make_unique<FlatSgd>(config_.lr_y, config_.momentum_y);
    lr_tensor_ = torch::full({}, lr_, torch::kFloat64);
}

DistillRun::DistillRun(std::shared_ptr<const PreparedData> data, const std::string& experts_dir,
                       const DistillConfig& config)
    : DistillRun(std::move(data), experts_dir, config, Restored{}) {
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
}

std::unique_ptr<DistillRun> DistillRun::from_state(std::shared_ptr<const PreparedData> data,
                                                   const std::string& experts_dir, DistillRunState state) {
    std::unique_ptr<DistillRun> run(new DistillRun(std::move(data), experts_dir, state.config, Restored{}));
    const auto& d = *run->data_;
    const auto& cfg = run->config_;
    if (state.experts != run->experts_.count())
        throw Error("the saved run matched " + std::to_string(state.experts) + " experts; " + experts_dir + " has " +
                    std::to_string(run->experts_.count()));
    if (state.expert_position < 0) throw Error("the saved expert position is negative");
    run->experts_.restore(std::move(state.expert_order), static_cast<std::size_t>(state.expert_position));
    if (!run->rng_.restore(state.rng)) throw Error("the saved random stream is not a valid state");
    if (state.iteration < 0) throw Error("the saved iteration is negative");

    const auto device = d.train_x.device();
    const auto dtype = d.train_x.scalar_type();
    const std::int64_t k = d.num_classes();
    if (cfg.ipc > std::numeric_limits<std::int64_t>::max() / std::max<std::int64_t>(k, 1))
        throw Error("the saved ipc " + std::to_string(cfg.ipc) + " is implausible");
    const std::int64_t n = cfg.ipc * k;
    run->images_ = checked(state.images, "images", {n, d.channels(), d.height(), d.width()}, dtype, device);
    run->hard_labels_ = checked(state.hard_labels, "hard labels", {n}, torch::kInt64, device);
    if (n > 0 && (run->hard_labels_.min().item<std::int64_t>() < 0 || run->hard_labels_.max().item<std::int64_t>() >= k))
        throw Error("the saved hard labels are not classes of " + d.name);
    if (cfg.labels == LabelMode::Learned) {
        run->label_logits_ = checked(state.label_logits, "label logits", {n, k}, dtype, device);
    } else if (state.label_logits.defined()) {
        throw Error("the saved run has label logits, but its labels are " + to_string(cfg.labels));
    }
    if (state.teacher_targets.defined()) {
        if (cfg.labels != LabelMode::Teacher)
            throw Error("the saved run has teacher targets, but its labels are " + to_string(cfg.labels));
        run->teacher_targets_ = checked(state.teacher_targets, "teacher targets", {n, k}, dtype, device);
    }
    run->lr_ = state.lr;
    run->lr_tensor_ = checked(state.lr_tensor, "learned lr tensor", {}, torch::kFloat64, torch::kCPU);
    auto restore_optimizer = [&](FlatSgd& opt, const DistillRunState::Optimizer& saved, const at::Tensor& param,
                                 const std::string& what) {
        opt = FlatSgd(saved.lr, saved.momentum, saved.weight_decay);
        if (!saved.buffer.defined()) return;
        if (!param.defined()) throw Error("the saved " + what + " optimiser has momentum but nothing to optimise");
        opt.set_buffer(checked(saved.buffer, what + " momentum", param.sizes(), param.scalar_type(), param.device()));
    };
    restore_optimizer(*run->images_opt_, state.images_opt, run->images_, "image");
    restore_optimizer(*run->lr_opt_, state.lr_opt, run->lr_tensor_, "lr");
    restore_optimizer(*run->labels_opt_, state.labels_opt, run->label_logits_, "label");
    // Pending changes were validated by set() when they were made; a file may not smuggle in one
    // that set() refuses.
    DistillConfig candidate = cfg;
    for (const auto& [key, value] : state.pending) {
        const auto problem = fixed_during_run(key) ? key + " cannot change during a run" : candidate.apply(key, value);
        if (!problem.empty()) throw Error("the saved pending change " + key + " = " + value + ": " + problem);
    }
    run->pending_ = std::move(state.pending);
    run->changes_ = std::move(state.changes);
    run->history_.assign(std::make_move_iterator(state.history.begin()), std::make_move_iterator(state.history.end()));
    run->iteration_ = state.iteration;
    return run;
}

DistillRunState DistillRun::export_state(bool include_history) const {
    std::lock_guard<std::mutex> lock(state_mutex_);
    DistillRunState s;
    s.config = config_;
    s.pending = pending_;
    s.changes = changes_;
    if (include_history) s.history.assign(history_.begin(), history_.end());
    s.iteration = iteration_;
    s.rng = rng_.state();
    s.experts = experts_.count();
    s.expert_order = experts_.order();
    s.expert_position = static_cast<std::int64_t>(experts_.position());
    s.images = cpu_copy(images_);
    s.hard_labels = cpu_copy(hard_labels_);
    s.label_logits = cpu_copy(label_logits_);
    s.teacher_targets = cpu_copy(teacher_targets_);
    s.lr = lr_;
    s.lr_tensor = cpu_copy(lr_tensor_);
    auto optimizer = [](const FlatSgd& opt) {
        return DistillRunState::Optimizer{opt.lr(), opt.momentum(), opt.weight_decay(), cpu_copy(opt.buffer())};
    };
    s.images_opt = optimizer(*images_opt_);
    s.lr_opt = optimizer(*lr_opt_);
    s.labels_opt = optimizer(*labels_opt_);
    return s;
}

void DistillRun::set_exchange(std::shared_ptr<StepExchange> exchange) { exchange_ = std::move(exchange); }

std::string DistillRun::set(const std::string& key, const std::string& value) {
    std::lock_guard<std::mutex> lock(state_mutex_);
    if (fixed_during_run(key))
        return message(engine_messages::kFixedDuringRun, {key});
    // Validate against the configuration as it will be once the changes already queued apply.
    DistillConfig candidate = config_;
    for (const auto& [k, v] : pending_) candidate.apply(k, v);
    const std::string problem = candidate.apply(key, value);
    if (!problem.empty()) return problem;
    if (candidate.max_start_epoch + candidate.expert_epochs > experts_.checkpoints())
        return message(engine_messages::kBeyondTheExperts,
                       {std::to_string(candidate.max_start_epoch + candidate.expert_epochs),
                        std::to_string(experts_.checkpoints() - 1)});
    pending_.emplace_back(key, value);
    return "";
}

StepRecord DistillRun::step() {
    // Every few steps, before the step's clock starts: the freed memory of the steps before goes
    // back to the system, so a run of thousands of steps keeps a flat resident size.
    // (iteration_ is written only by step() itself, on this thread.)
    if (iteration_ > 0 && iteration_ % kStepsBetweenMemoryReleases == 0) release_free_memory();
    const auto t0 = std::chrono::steady_clock::now();
    DistillConfig cfg;
    StepRecord rec;
    // The step draws from a copy of the run's stream, committed with the update. So a step that a
    // guard stops leaves the stream as it was, and export_state() never sees it half-way through.
    Rng rng;
    const bool distributed = exchange_ && exchange_->world_size() > 1;
    std::vector<std::int64_t> order_before;
    std::size_t position_before = 0;
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
        rec.iteration = iteration_;
        rng = rng_;
        order_before = experts_.order();
        position_before = experts_.position();
        if (distributed) {
            // Every rank advances the shared expert order alike, by one expert per rank, and
            // takes its own: the world size is the number of trajectories per update.
            for (int r = 0; r < exchange_->world_size(); ++r) {
                const auto e = experts_.next(rng);
                if (r == exchange_->rank()) rec.expert = e;
            }
        } else {
            rec.expert = experts_.next(rng);
        }
    }
    rec.mode = to_string(cfg.mode);
    rec.syn_steps = cfg.syn_steps;
    const Dsa dsa(cfg.dsa_strategy);
    MatchProblem p;
    MatchGradients g;
    // The update goes into copies, which replace the state only when they pass the guards: a
    // step that trips one leaves the run exactly as it was before the step.
    at::Tensor images = images_, lr_tensor = lr_tensor_, logits = label_logits_;
    FlatSgd images_opt = *images_opt_, lr_opt = *lr_opt_, labels_opt = *labels_opt_;
    double lr = lr_;
    try {
        // A distributed rank draws its start epoch and mini-batches from a stream of its own,
        // seeded from the shared stream, which all ranks advance alike.
        Rng own_draws = distributed ? Rng(rank_draw_seed(rng.fork_seed(), exchange_->rank())) : Rng();
        p = draw_problem(cfg, rec.iteration, dsa, distributed ? own_draws : rng, rec);
        memory_.begin();
        g = cfg.mode == GradientMode::Unrolled ? match_unrolled(p) : match_adjoint(p, cfg.mode == GradientMode::Exact);
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
        if (distributed) {
            // Before the guards: every rank judges the same averaged values, so all of them
            // update, skip or roll back together.
            rec.allreduce_seconds = average_over_ranks(g, *exchange_);
            rec.distributed = true;
        }
        rec.loss = g.loss;
        rec.grad_norm_images = norm_of(g.images);
        rec.grad_lr = g.lr;
        rec.grad_norm_labels = norm_of(g.logits);
        if (!std::isfinite(g.loss) || !std::isfinite(g.lr) || !finite(g.images) || !finite(g.logits))
            return roll_back(std::move(rec),
                             "the matching loss or its gradient is not finite (loss " + number_text(g.loss) +
                                 ", lr gradient " + number_text(g.lr) + "); lower lr_img, lr_lr or lr_y",
                             std::move(order_before), position_before);
        if (g.loss > cfg.threshold) {
            rec.updated = false;
            rec.skip_reason = "loss above threshold";
        }

        if (rec.updated) {
            images = images_.clone();
            images_opt.set_buffer(clone_if_defined(images_opt.buffer()));
            images_opt.step(images, g.images);
            lr_tensor = lr_tensor_.clone();
            lr_opt.set_buffer(clone_if_defined(lr_opt.buffer()));
            lr_opt.step(lr_tensor, torch::full({}, g.lr, torch::kFloat64));
            if (lr_tensor.item<double>() < cfg.lr_floor) lr_tensor.fill_(cfg.lr_floor);
            lr = lr_tensor.item<double>();
            if (g.logits.defined()) {
                logits = label_logits_.clone();
                labels_opt.set_buffer(clone_if_defined(labels_opt.buffer()));
                labels_opt.step(logits, g.logits);
            }
            std::string why;
            if (!finite(images))
                why = "the update made the synthetic images infinite or NaN (lr_img " + number_text(cfg.lr_img) +
                      " is too large); lower lr_img";
            else if (!finite(logits))
                why = "the update made the label logits infinite or NaN (lr_y " + number_text(cfg.lr_y) +
                      " is too large); lower lr_y";
            else if (!std::isfinite(lr))
                why = "the learned lr is no longer finite (" + number_text(lr) + "); lower lr_lr (now " +
                      number_text(cfg.lr_lr) + ")";
            else if (lr < 0)
                why = "the learned lr went negative (" + number_text(lr) + " after " + number_text(lr_) +
                      "); lower lr_lr (now " + number_text(cfg.lr_lr) + ") or hold it above a floor, e.g. lr_floor=" +
                      number_text(cfg.lr_teacher / 10);
            else if (lr > cfg.lr_limit())
                why = "the learned lr ran away to " + number_text(lr) + ", above lr_max " + number_text(cfg.lr_limit()) +
                      (cfg.lr_max == 0 ? " (auto: " + number_text(DistillConfig::kAutoLrMaxFactor) + " x lr_teacher)" : "") +
                      "; lower lr_lr (now " + number_text(cfg.lr_lr) + ") or raise lr_max";
            if (!why.empty()) return roll_back(std::move(rec), why, std::move(order_before), position_before);
        }
    } catch (const std::bad_alloc& e) {
        return roll_back(std::move(rec), out_of_memory_advice(cfg, e.what()), std::move(order_before), position_before);
    } catch (const c10::OutOfMemoryError& e) {
        return roll_back(std::move(rec), out_of_memory_advice(cfg, e.what_without_backtrace()), std::move(order_before),
                         position_before);
    } catch (const c10::Error& e) {
        if (!says_out_of_memory(e.what())) {
            roll_back(std::move(rec), "", std::move(order_before), position_before);
            throw;
        }
        return roll_back(std::move(rec), out_of_memory_advice(cfg, e.what_without_backtrace()), std::move(order_before),
                         position_before);
    } catch (...) {
        roll_back(std::move(rec), "", std::move(order_before), position_before);
        throw;
    }

    std::lock_guard<std::mutex> lock(state_mutex_);
    images_ = images;
    lr_tensor_ = lr_tensor;
    label_logits_ = logits;
    lr_ = lr;
    *images_opt_ = std::move(images_opt);
    *lr_opt_ = std::move(lr_opt);
    *labels_opt_ = std::move(labels_opt);
    rng_ = rng;
    if (cfg.labels == LabelMode::Teacher) teacher_targets_ = p.labels.targets;
    rec.lr = lr_;
    rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    iteration_ += 1;
    history_.push_back(rec);
    return rec;
}

StepRecord DistillRun::roll_back(StepRecord rec, const std::string& why, std::vector<std::int64_t> order,
                                 std::size_t position) {
    std::lock_guard<std::mutex> lock(state_mutex_);
    experts_.restore(std::move(order), position);
    rec.updated = false;
    rec.guard = why;
    rec.lr = lr_;
    return rec;
}

MatchProblem DistillRun::draw_problem(const DistillConfig& cfg, std::int64_t iteration, const Dsa& dsa, Rng& rng,
                                      StepRecord& rec) const {
    const auto device = images_.device();
    rec.upper_bound = start_epoch_upper_bound(cfg, iteration);
    rec.start_epoch = sample_start_epoch(cfg, iteration, rng);
    const auto& expert = experts_.expert(rec.expert);
    MatchProblem p;
    p.net = &net_;
    p.dsa = &dsa;
    p.images = images_;
    p.lr = lr_;
    p.start = expert.checkpoint(rec.start_epoch).to(device, images_.scalar_type());
    p.target = expert.checkpoint(rec.start_epoch + cfg.expert_epochs).to(device, images_.scalar_type());
    if (cfg.labels == LabelMode::Learned) p.labels.logits = label_logits_;
    else if (cfg.labels == LabelMode::Teacher) p.labels.targets = teacher_soft_labels(net_, images_, p.target);
    else p.labels.targets = hard_labels_;
    p.steps = plan_student_steps(images_.size(0), cfg.syn_steps, cfg.batch_syn, dsa, images_.size(2), images_.size(3),
                                 rng, device);
    return p;
}

MemoryMeasurement DistillRun::measure_memory(GradientMode mode, std::int64_t syn_steps) {
    DistillConfig cfg = config();
    cfg.mode = mode;
    cfg.syn_steps = syn_steps;
    const std::string problem = cfg.validate();
    if (!problem.empty()) throw Error("memory measurement: " + problem);
    // A stream of its own, so that measuring never changes what the run does next.
    Rng rng(cfg.seed ^ (0x9e3779b97f4a7c15ULL + static_cast<std::uint64_t>(++measurements_)));
    const Dsa dsa(cfg.dsa_strategy);
    StepRecord drawn;
    drawn.expert = rng.integer(0, experts_.count() - 1);
    const auto t0 = std::chrono::steady_clock::now();
    const MatchProblem p = draw_problem(cfg, iteration(), dsa, rng, drawn);
    memory_.begin();
    const MatchGradients g = mode == GradientMode::Unrolled ? match_unrolled(p) : match_adjoint(p, mode == GradientMode::Exact);
    MemoryMeasurement m;
    m.mode = to_string(mode);
    m.syn_steps = syn_steps;
    m.peak_bytes = memory_.peak_bytes();
    m.kind = memory_.kind();
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return m;
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
    return {history_.begin(), history_.end()};
}

std::size_t DistillRun::history_size() const {
    std::lock_guard<std::mutex> lock(state_mutex_);
    return history_.size();
}

std::vector<StepRecord> DistillRun::history_range(std::size_t first, std::size_t count) const {
    std::lock_guard<std::mutex> lock(state_mutex_);
    if (first >= history_.size()) return {};
    const auto begin = history_.begin() + static_cast<std::ptrdiff_t>(first);
    const auto end = begin + static_cast<std::ptrdiff_t>(std::min(count, history_.size() - first));
    return {begin, end};
}

ExpertsInfo DistillRun::experts_info() const {
    std::lock_guard<std::mutex> lock(state_mutex_);
    ExpertsInfo info;
    info.count = experts_.count();
    info.checkpoints = experts_.checkpoints();
    info.order = experts_.order();
    info.position = static_cast<std::int64_t>(experts_.position());
    return info;
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
    const auto [x, y] = baseline_real_subset(*data_, run_cfg.ipc, run_cfg.seed);
    const bool soft_labels = soft && run_cfg.labels != LabelMode::Hard;
    const auto targets = soft_labels ? soft_targets_for(x, y) : y;
    return evaluate_set(*data_, x, targets, run_cfg.lr_teacher, cfg, progress);
}

}  // namespace distillery
