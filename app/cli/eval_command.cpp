// `distillery-cli eval`: a synthetic set (--synthetic FILE) or a random real subset (--ipc),
// trained on each network of --arch in turn with the protocol of spec 6. With --baselines, a
// synthetic set is shown beside the random real subset that `distill` compares it with, with hard
// labels and, for soft-labelled sets, with the same kind of soft labels (soft labels alone lift a
// random subset, so a distilled set is only worth what it adds to that).
#include <torch/torch.h>

#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "common/error.h"
#include "common/metrics_log.h"
#include "distill/config.h"
#include "distill/run.h"
#include "distill/synthetic_set.h"
#include "eval/evaluate.h"
#include "expert/expert_fit.h"
#include "expert/expert_trainer.h"
#include "nn/architectures.h"

namespace distillery::cli {
namespace {

// What one evaluation trains on: a name for the screen and the metrics, and how to evaluate it
// on a network (the soft baseline's labels come from a DistillRun over the experts).
struct EvalSubject {
    std::string label;    // "synthetic set runs/quick/synthetic.dsyn", "random real subset (ipc 10)"
    std::string set;      // the metrics' "set" column
    std::int64_t images = 0;
    double lr = 0.01;
    std::function<EvalResult(const EvalConfig&, const ProgressFn&)> evaluate;
};

SyntheticSet checked_synthetic_set(const Options& o, const PreparedData& data) {
    auto set = load_synthetic_set(o.synthetic);
    if (set.images.size(1) != data.channels() || set.images.size(2) != data.height() ||
        set.images.size(3) != data.width())
        throw Error(o.synthetic + ": its images do not have the size of " + data.name + "'s");
    if (set.info["transform"] != data.transform.describe())
        throw Error(o.synthetic + ": made with " + set.info["transform"] + " data, but the settings give " +
                    data.transform.describe() + " (set zca accordingly)");
    check_synthetic_labels(set.labels, data.num_classes(), o.synthetic + " (for " + data.name + ")");
    return set;
}

// The random real subset with hard labels that `distill` evaluates beside its set (seed + 1 of
// the run's seed, baseline_real_subset), trained at lr_teacher.
EvalSubject hard_real_subset(const PreparedData& data, std::int64_t ipc, std::uint64_t run_seed, double lr,
                             const std::string& label) {
    auto [x, y] = baseline_real_subset(data, ipc, run_seed);
    return {label, "random_real", x.size(0), lr, [&data, x, y, lr](const EvalConfig& e, const ProgressFn& p) {
                return evaluate_set(data, x, y, lr, e, p);
            }};
}

// The random real subsets `distill` evaluates beside its set (DistillRun::evaluate_random_real):
// the set's images per class, baseline_real_subset, lr_teacher; soft labels of the set's kind.
std::vector<EvalSubject> baselines_for(const Settings& s, const Options& o, const PreparedData& data,
                                       SyntheticSet& set) {
    const auto ipc = set.info.count("ipc") ? std::stoll(set.info["ipc"]) : set.images.size(0) / data.num_classes();
    const bool soft = set.labels.dim() == 2;
    const std::string label_mode = set.info.count("label_mode") ? set.info["label_mode"] : (soft ? "teacher" : "hard");
    Settings b = s;
    b.set("ipc", std::to_string(ipc));
    b.set("label_mode", label_mode);
    const auto cfg = DistillConfig::from_settings(b, data.name);
    const std::string what = "random real subset (ipc " + std::to_string(ipc) + ")";
    std::vector<EvalSubject> out;
    out.push_back(hard_real_subset(data, ipc, cfg.seed, cfg.lr_teacher, what + ", hard labels"));
    if (!soft) return out;
    // The soft labels come from the experts, as the run made its own.
    const auto experts_dir = experts_dir_for(b, o);
    check_experts_fit(experts_dir, data, ExpertConfig::from_settings(b, data.name));
    auto run = std::make_shared<DistillRun>(std::make_shared<PreparedData>(data), experts_dir, cfg);
    out.push_back({what + ", " + label_mode + " soft labels", "random_real_soft", out.front().images, cfg.lr_teacher,
                   [run](const EvalConfig& e, const ProgressFn& p) { return run->evaluate_random_real(e, true, p); }});
    return out;
}

}  // namespace

int run_eval(const Settings& s, const Options& o, const PreparedData& data, MetricsLog& log) {
    const auto cfg = EvalConfig::from_settings(s, data.name);
    std::vector<EvalSubject> subjects;
    if (!o.synthetic.empty()) {
        auto set = checked_synthetic_set(o, data);
        subjects.push_back({"synthetic set " + o.synthetic, o.synthetic, set.images.size(0), set.lr,
                            [&data, images = set.images, labels = set.labels, lr = set.lr](const EvalConfig& e,
                                                                                           const ProgressFn& p) {
                                return evaluate_set(data, images, labels, lr, e, p);
                            }});
        if (o.baselines)
            for (auto& b : baselines_for(s, o, data, set)) subjects.push_back(std::move(b));
    } else {
        if (o.baselines) throw Error("--baselines compares a synthetic set (--synthetic FILE) with random real subsets");
        const auto ipc = s.integer("ipc", 10);
        subjects.push_back(hard_real_subset(data, ipc, static_cast<std::uint64_t>(s.integer("seed", 0)),
                                            s.number("lr_teacher", 0.01),
                                            "random real subset (ipc " + std::to_string(ipc) + ")"));
    }
    const auto archs = parse_architectures(o.arch);
    std::vector<std::string> summary;
    for (const auto& arch : archs) {
        auto arch_cfg = cfg;
        arch_cfg.arch = arch;
        // One ConvNet, the default, keeps the line every earlier version printed.
        const std::string on = archs.size() == 1 && arch == "convnet" ? "" : " on " + arch;
        for (const auto& subject : subjects) {
            std::cout << "eval: " << subject.label << ", " << subject.images << " images, " << cfg.networks << " "
                      << arch << " networks x " << cfg.epochs << " epochs, lr " << subject.lr << "\n";
            cli::ProgressBar bar(o.quiet);
            const auto result = subject.evaluate(arch_cfg, [&](const Progress& p) {
                bar.update(p);
                return cli::g_interrupted == 0;
            });
            bar.finish();
            const auto line = subject.label + on + ": test accuracy " + result.summary();
            std::cout << line << " in " << cli::format_duration(result.seconds) << "\n";
            if (result.diverged > 0)
                std::cout << "  " << result.diverged << " of " << cfg.networks << " " << arch << " networks diverged at lr "
                          << subject.lr << " (their parameters became NaN or infinite) and test at chance; a network "
                          << "without normalisation may need a smaller lr than the ConvNet the set was distilled with\n";
            summary.push_back(line);
            log.add({{"kind", "eval"}, {"set", subject.set}, {"arch", arch},
                     {"images", std::to_string(subject.images)}, {"networks", std::to_string(cfg.networks)},
                     {"epochs", std::to_string(cfg.epochs)}, {"accuracy_mean", number(result.mean)},
                     {"accuracy_std", number(result.std)}, {"diverged", std::to_string(result.diverged)},
                     {"seconds", number(result.seconds)}});
        }
    }
    if (summary.size() > 1) {
        std::cout << "eval: side by side\n";
        for (const auto& line : summary) std::cout << "  " << line << "\n";
    }
    return 0;
}

}  // namespace distillery::cli
