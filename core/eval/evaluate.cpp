#include "eval/evaluate.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "augment/dsa.h"
#include "common/error.h"
#include "nn/architectures.h"
#include "train/training.h"

namespace distillery {

EvalConfig EvalConfig::from_settings(const Settings& s, const std::string& dataset_name) {
    EvalConfig c;
    c.read(s, dataset_name);
    c.networks = bounded_integer(s, "num_eval", c.networks, 1, 1000);
    c.epochs = bounded_integer(s, "epoch_eval_train", c.epochs, 0, 1000000);
    return c;
}

std::string EvalResult::summary() const {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%.2f +- %.2f %% (%zu networks", 100.0 * mean, 100.0 * std, accuracies.size());
    std::string s = buf;
    if (diverged > 0) s += ", " + std::to_string(diverged) + " diverged";
    return s + ")";
}

EvalResult evaluate_set(const PreparedData& data, const Tensor& images, const Tensor& targets, double lr,
                        const EvalConfig& cfg, const ProgressFn& progress) {
    if (!(lr > 0) || !std::isfinite(lr)) throw Error("evaluation needs a positive learning rate, got " + std::to_string(lr));
    if (images.dim() != 4 || images.size(0) == 0) throw Error("evaluation needs a non-empty image set [N, C, H, W]");
    if (targets.size(0) != images.size(0)) throw Error("evaluation: images and labels differ in number");
    // LibTorch's loss would stop on these with a stack trace ("Target 10 is out of bounds").
    const auto classes = data.num_classes();
    if (targets.dim() == 1 && (targets.min().item<std::int64_t>() < 0 || targets.max().item<std::int64_t>() >= classes))
        throw Error("evaluation: a label lies outside the " + std::to_string(classes) + " classes of " + data.name + " (0.." +
                    std::to_string(classes - 1) + ")");
    if (targets.dim() == 2 && targets.size(1) != classes)
        throw Error("evaluation: the soft labels are over " + std::to_string(targets.size(1)) + " classes, " + data.name +
                    " has " + std::to_string(classes));
    cfg.net_for(data);  // refuses a ConvNet width and depth that do not fit, naming the settings
    const auto net = make_network(cfg.arch, {data.channels(), data.height(), data.width(), classes}, cfg.net_width,
                                  cfg.net_depth);
    const Dsa dsa(cfg.dsa_strategy);
    const auto x = images.detach().to(data.train_x.device());
    const auto y = targets.detach().to(data.train_x.device());
    const auto start = std::chrono::steady_clock::now();
    Rng seeds(cfg.seed);
    EvalResult r;
    Progress p;
    p.task = "evaluation";
    p.total = cfg.networks * (cfg.epochs + 1);
    for (std::int64_t n = 0; n < cfg.networks; ++n) {
        Rng rng(seeds.fork_seed());
        Tensor theta = net->initial_parameters(rng).to(x.device());
        Tensor running_stats = net->initial_running_stats();
        if (running_stats.defined()) running_stats = running_stats.to(x.device());
        auto sgd = std::make_unique<FlatSgd>(lr, cfg.momentum, cfg.weight_decay);
        for (std::int64_t ep = 0; ep <= cfg.epochs; ++ep) {
            train_epoch(*net, theta, x, y, cfg.batch, *sgd, dsa, rng, nullptr, running_stats);
            // The reference decays once, after pass epochs/2 + 1, with a new optimiser (momentum reset).
            if (ep == cfg.epochs / 2 + 1) sgd = std::make_unique<FlatSgd>(0.1 * lr, cfg.momentum, cfg.weight_decay);
            const bool diverged = !theta.isfinite().all().item<bool>();
            // The passes a diverged network skips count as done: nothing would change in them.
            p.done += diverged ? cfg.epochs + 1 - ep : 1;
            p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            p.detail = (cfg.arch == "convnet" ? "network " : cfg.arch + " ") + std::to_string(n + 1) + "/" +
                       std::to_string(cfg.networks);
            if (progress && !progress(p)) throw Error("evaluation cancelled");
            if (diverged) {
                r.diverged += 1;
                break;
            }
        }
        r.accuracies.push_back(accuracy(*net, theta, data.test_x, data.test_y, 512, running_stats));
    }
    double sum = 0, sq = 0;
    for (double a : r.accuracies) sum += a;
    r.mean = sum / static_cast<double>(r.accuracies.size());
    for (double a : r.accuracies) sq += (a - r.mean) * (a - r.mean);
    r.std = std::sqrt(sq / static_cast<double>(r.accuracies.size()));
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

std::pair<Tensor, Tensor> random_real_subset(const PreparedData& data, std::int64_t ipc, std::uint64_t seed) {
    const auto chosen = balanced_indices(data.train_y, data.classes, ipc, seed, data.name).to(data.train_x.device());
    return {data.train_x.index_select(0, chosen), data.train_y.index_select(0, chosen)};
}

std::pair<Tensor, Tensor> baseline_real_subset(const PreparedData& data, std::int64_t ipc, std::uint64_t run_seed) {
    return random_real_subset(data, ipc, run_seed + 1);
}

}  // namespace distillery
