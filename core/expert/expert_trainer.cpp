#include "expert/expert_trainer.h"

#include <torch/torch.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "augment/dsa.h"
#include "common/error.h"
#include "expert/trajectory.h"
#include "train/training.h"

namespace fs = std::filesystem;

namespace distillery {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// splitmix64: independent, reproducible seeds for expert i of a generation.
std::uint64_t expert_seed(std::uint64_t seed, std::int64_t index) {
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(index + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::string format_number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

std::map<std::string, std::string> header_for(const PreparedData& data, const ExpertConfig& cfg, const ConvNetSpec& net,
                                              std::int64_t index) {
    auto header = std::map<std::string, std::string>{{"format", "distillery-trajectory 1"},
            {"net", net.describe()},
            {"dataset", data.name},
            {"transform", data.transform.describe()},
            {"train_epochs", std::to_string(cfg.train_epochs)},
            {"batch_train", std::to_string(cfg.batch)},
            {"lr_teacher", format_number(cfg.lr)},
            {"mom", format_number(cfg.momentum)},
            {"l2", format_number(cfg.weight_decay)},
            {"dsa_strategy", cfg.dsa_strategy},
            {"seed", std::to_string(cfg.seed)},
            {"expert", std::to_string(index)},
            {"expert_optimizer", cfg.optimizer},
            {"expert_lr_schedule", cfg.lr_schedule}};
    if (cfg.uses_gsam()) {
        header["gsam_rho"] = format_number(cfg.gsam.rho);
        header["gsam_alpha"] = format_number(cfg.gsam.alpha);
        header["gsam_adaptive"] = cfg.gsam.adaptive ? "true" : "false";
    }
    return header;
}

// Experts in one folder must be interchangeable: same network, data, transform and schedule.
void check_compatible(const TrajectoryFile& t, const std::map<std::string, std::string>& want) {
    for (const char* key : {"net", "dataset", "transform", "train_epochs", "batch_train", "lr_teacher", "dsa_strategy",
                            "expert_optimizer", "gsam_rho", "gsam_alpha", "gsam_adaptive", "expert_lr_schedule"}) {
        if (want.count(key) == 0) continue;
        const auto have = expert_value(t, key);
        if (have != want.at(key))
            throw Error(t.path() + ": this folder holds experts made with " + key + " = '" + have +
                        "', but the settings ask for '" + want.at(key) + "'; use another output folder");
    }
}

}  // namespace

std::string expert_default(const std::string& key) {
    // Experts from before the optimiser and the schedule were recorded were all trained with plain
    // SGD at a constant lr.
    if (key == "expert_optimizer") return "sgd";
    if (key == "expert_lr_schedule") return "constant";
    return "";
}

std::string expert_value(const TrajectoryFile& t, const std::string& key) { return t.value(key, expert_default(key)); }

std::string default_experts_dir(const Settings& s) {
    const auto data = s.text("dataset", "fashion-mnist");
    std::string name;
    for (char c : data) name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '_';
    name += std::string(s.flag("zca", false) ? "_zca" : "") + "_tpc" + std::to_string(s.integer("train_per_class", 0)) +
            "_w" + std::to_string(s.integer("net_width", 128)) + "d" + std::to_string(s.integer("net_depth", 3)) +
            "_ep" + std::to_string(s.integer("train_epochs", 50)) + "_lr" + s.text("lr_teacher", "0.01") + "_b" +
            std::to_string(s.integer("batch_train", 256)) + "_s" + std::to_string(s.integer("seed", 0));
    // GSAM experts are another kind (their folder refuses SGD ones); SGD folders keep their names.
    if (s.text("expert_optimizer", "sgd") == "gsam")
        name += "_gsam_rho" + s.text("gsam_rho", "0.01") + "_a" + s.text("gsam_alpha", "0.3") +
                (s.flag("gsam_adaptive", true) ? "" : "_plain");
    // Likewise experts of a decaying lr; constant-lr folders keep their names.
    const auto schedule = s.text("expert_lr_schedule", "constant");
    if (schedule != "constant") name += "_" + schedule;
    return (fs::path("runs") / "experts" / name).string();
}

ExpertConfig ExpertConfig::from_settings(const Settings& s, const std::string& dataset_name) {
    ExpertConfig c;
    c.read(s, dataset_name);
    c.num_experts = bounded_integer(s, "num_experts", c.num_experts, 1, 100000);
    c.train_epochs = bounded_integer(s, "train_epochs", c.train_epochs, 1, 100000);
    c.lr = s.number("lr_teacher", c.lr);
    c.momentum = s.number("mom", c.momentum);
    c.weight_decay = s.number("l2", c.weight_decay);
    // Written so that nan fails each test too.
    if (!(c.lr > 0 && std::isfinite(c.lr)))
        throw Error(s.source() + ": lr_teacher must be a positive finite number, not " + format_number(c.lr));
    if (!(c.momentum >= 0 && c.momentum < 1))
        throw Error(s.source() + ": mom must lie in [0, 1), not " + format_number(c.momentum));
    if (!(c.weight_decay >= 0 && std::isfinite(c.weight_decay)))
        throw Error(s.source() + ": l2 must be a finite number >= 0, not " + format_number(c.weight_decay));
    c.optimizer = s.text("expert_optimizer", c.optimizer);
    if (c.optimizer != "sgd" && c.optimizer != "gsam")
        throw Error(s.source() + ": expert_optimizer must be sgd or gsam, not '" + c.optimizer + "'");
    c.gsam.rho = s.number("gsam_rho", c.gsam.rho);
    c.gsam.alpha = s.number("gsam_alpha", c.gsam.alpha);
    c.gsam.adaptive = s.flag("gsam_adaptive", c.gsam.adaptive);
    if (!(c.gsam.rho >= 0 && c.gsam.rho <= 10))
        throw Error(s.source() + ": gsam_rho must lie in [0, 10], not " + format_number(c.gsam.rho));
    if (!(c.gsam.alpha >= 0 && c.gsam.alpha <= 1))
        throw Error(s.source() + ": gsam_alpha must lie in [0, 1], not " + format_number(c.gsam.alpha));
    c.lr_schedule = s.text("expert_lr_schedule", c.lr_schedule);
    if (c.lr_schedule != "constant" && c.lr_schedule != "cosine")
        throw Error(s.source() + ": expert_lr_schedule must be constant or cosine, not '" + c.lr_schedule + "'");
    return c;
}

double ExpertConfig::lr_of_epoch(std::int64_t epoch) const {
    if (lr_schedule != "cosine") return lr;
    const double pi = std::acos(-1.0);
    return lr * 0.5 * (1.0 + std::cos(pi * static_cast<double>(epoch - 1) / static_cast<double>(train_epochs)));
}

namespace {

// Trains `indices` into `dir` (created), counting `already_present` in the report.
ExpertReport train_experts(const PreparedData& data, const ExpertConfig& cfg, const std::string& dir,
                           const std::vector<std::int64_t>& indices, std::int64_t already_present,
                           const ProgressFn& progress, const std::function<void(const ExpertEpoch&)>& on_epoch) {
    const ConvNet net(cfg.net_for(data));
    const Dsa dsa(cfg.dsa_strategy);
    ExpertStore store(dir);
    ExpertReport report;
    report.already_present = already_present;
    const auto start = Clock::now();
    Progress p;
    p.task = "experts";
    p.total = static_cast<std::int64_t>(indices.size()) * cfg.train_epochs;
    for (const std::int64_t index : indices) {
        Rng rng(expert_seed(cfg.seed, index));
        Tensor theta = net.initial_parameters(rng).to(data.train_x.device());
        FlatSgd sgd(cfg.lr, cfg.momentum, cfg.weight_decay);
        std::vector<Tensor> checkpoints{theta.to(torch::kCPU).clone()};
        double last_accuracy = 0;
        for (std::int64_t epoch = 1; epoch <= cfg.train_epochs; ++epoch) {
            const auto t0 = Clock::now();
            sgd.set_lr(cfg.lr_of_epoch(epoch));
            const double loss = train_epoch(net, theta, data.train_x, data.train_y, cfg.batch, sgd, dsa, rng,
                                            cfg.uses_gsam() ? &cfg.gsam : nullptr);
            const double secs = seconds_since(t0);
            if (!std::isfinite(loss))
                throw Error("expert " + std::to_string(index) + " diverged at epoch " + std::to_string(epoch) +
                            " (loss " + format_number(loss) + "); lower lr_teacher");
            checkpoints.push_back(theta.to(torch::kCPU).clone());
            last_accuracy = accuracy(net, theta, data.test_x, data.test_y);
            report.train_seconds += secs;
            report.train_images += data.train_x.size(0);
            if (on_epoch) on_epoch({index, epoch, loss, last_accuracy, secs, data.train_x.size(0)});
            p.done += 1;
            p.elapsed_s = seconds_since(start);
            std::ostringstream detail;
            detail << "expert " << index + 1 << "/" << cfg.num_experts << ", epoch " << epoch << "/" << cfg.train_epochs
                   << ", loss " << loss << ", test " << 100.0 * last_accuracy << "%";
            p.detail = detail.str();
            if (progress && !progress(p)) {
                report.cancelled = true;  // the unfinished expert is dropped; the finished ones stay
                return report;
            }
        }
        auto header = header_for(data, cfg, net.spec(), index);
        header["final_test_accuracy"] = format_number(last_accuracy);
        TrajectoryFile::write(store.path_of(index), header, checkpoints);
        report.trained += 1;
        report.trained_indices.push_back(index);
        report.final_accuracy.push_back(last_accuracy);
    }
    return report;
}

void create_experts_folder(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!fs::is_directory(dir)) throw Error(dir + ": cannot create the experts folder (" + ec.message() + ")");
}

}  // namespace

ExpertReport generate_experts(const PreparedData& data, const ExpertConfig& cfg, const std::string& dir,
                              const ProgressFn& progress, const std::function<void(const ExpertEpoch&)>& on_epoch) {
    const ConvNet net(cfg.net_for(data));  // a network that cannot be built leaves no folder behind
    create_experts_folder(dir);
    const ExpertStore store(dir);
    const auto present = store.complete();
    for (auto i : present) check_compatible(store.open(i), header_for(data, cfg, net.spec(), i));
    const auto already_present = static_cast<std::int64_t>(present.size());
    std::vector<std::int64_t> indices;
    for (std::int64_t index = already_present; index < cfg.num_experts; ++index) indices.push_back(index);
    return train_experts(data, cfg, dir, indices, already_present, progress, on_epoch);
}

std::vector<std::int64_t> missing_experts(const PreparedData& data, const ExpertConfig& cfg, const std::string& dir) {
    const ConvNet net(cfg.net_for(data));
    create_experts_folder(dir);
    const ExpertStore store(dir);
    std::vector<std::int64_t> missing;
    for (std::int64_t i = 0; i < cfg.num_experts; ++i) {
        if (fs::exists(store.path_of(i))) check_compatible(store.open(i), header_for(data, cfg, net.spec(), i));
        else missing.push_back(i);
    }
    return missing;
}

ExpertReport generate_experts_at(const PreparedData& data, const ExpertConfig& cfg, const std::string& dir,
                                 const std::vector<std::int64_t>& indices, const ProgressFn& progress,
                                 const std::function<void(const ExpertEpoch&)>& on_epoch) {
    const ConvNet net(cfg.net_for(data));  // checked before the folder is made
    create_experts_folder(dir);
    return train_experts(data, cfg, dir, indices, 0, progress, on_epoch);
}

}  // namespace distillery
