// `distillery-cli distill` (and `demo`): experts if missing, the distillation run with progress,
// evaluations at intervals and at the end beside the random-real baselines, and the outputs.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "distill/run.h"
#include "distill/synthetic_set.h"
#include "expert/expert_trainer.h"
#include "expert/trajectory.h"

namespace fs = std::filesystem;

namespace distillery::cli {
namespace {

MetricsLog::Row step_row(const StepRecord& r) {
    MetricsLog::Row row{{"kind", "step"},
                        {"iteration", std::to_string(r.iteration)},
                        {"loss", number(r.loss)},
                        {"lr", number(r.lr)},
                        {"expert", std::to_string(r.expert)},
                        {"start_epoch", std::to_string(r.start_epoch)},
                        {"upper_bound", std::to_string(r.upper_bound)},
                        {"mode", r.mode},
                        {"syn_steps", std::to_string(r.syn_steps)},
                        {"grad_norm_images", number(r.grad_norm_images)},
                        {"grad_lr", number(r.grad_lr)},
                        {"grad_norm_labels", number(r.grad_norm_labels)},
                        {"seconds", number(r.seconds)},
                        {"peak_bytes", std::to_string(r.peak_bytes)},
                        {"memory_kind", r.memory_kind},
                        {"updated", r.updated ? "1" : "0"},
                        {"skip_reason", r.skip_reason}};
    if (r.has_tesla_cosine) row.emplace_back("tesla_cosine", number(r.tesla_cosine));
    return row;
}

EvalResult evaluate_logged(const std::string& what, std::int64_t iteration, const std::function<EvalResult(const ProgressFn&)>& eval,
                           const Options& o, MetricsLog& log) {
    ProgressBar bar(o.quiet);
    const auto r = eval([&](const Progress& p) {
        Progress shown = p;
        shown.task = "eval";
        shown.detail = what + ", " + p.detail;
        bar.update(shown);
        return g_interrupted == 0;
    });
    bar.finish();
    std::printf("  %-34s %s\n", (what + ":").c_str(), r.summary().c_str());
    log.add({{"kind", "eval"}, {"set", what}, {"iteration", std::to_string(iteration)},
             {"networks", std::to_string(r.accuracies.size())}, {"accuracy_mean", number(r.mean)},
             {"accuracy_std", number(r.std)}, {"seconds", number(r.seconds)}});
    return r;
}

}  // namespace

int run_distill(const Settings& s, const Options& o, const PreparedData& data, MetricsLog& log) {
    const auto cfg = DistillConfig::from_settings(s, data.name);
    const auto eval_cfg = EvalConfig::from_settings(s, data.name);
    const auto expert_cfg = ExpertConfig::from_settings(s, data.name);
    const std::string experts_dir = experts_dir_for(s, o);
    if (ExpertStore(experts_dir).count() < expert_cfg.num_experts) {
        const int rc = run_experts(s, o, data, log);
        if (rc != 0) return rc;
    }
    const std::string out = o.out_dir.empty() ? (fs::path("runs") / fs::path(o.preset).stem()).string() : o.out_dir;
    std::error_code ec;
    fs::create_directories(out, ec);
    if (!fs::is_directory(out)) throw Error(out + ": cannot create the output folder (" + ec.message() + ")");

    DistillRun run(std::make_shared<PreparedData>(data), experts_dir, cfg);
    std::cout << "distill: " << cfg.method << ", " << to_string(cfg.mode) << " gradient, " << to_string(cfg.labels)
              << " labels, " << to_string(cfg.init) << " init, ipc " << cfg.ipc << ", " << cfg.syn_steps
              << " student steps towards epoch +" << cfg.expert_epochs << ", start epochs " << cfg.min_start_epoch
              << ".." << cfg.max_start_epoch - 1 << (cfg.sequential_generation ? " (growing window)" : "") << ", "
              << cfg.iterations << " iterations, " << run.experts().count() << " experts in " << experts_dir << "\n";

    ProgressBar bar(o.quiet);
    Progress p;
    p.task = "distill";
    p.total = cfg.iterations;
    const auto start = std::chrono::steady_clock::now();
    std::int64_t skipped = 0;
    for (std::int64_t it = 0; it < cfg.iterations && g_interrupted == 0; ++it) {
        const auto r = run.step();
        log.add(step_row(r));
        skipped += r.updated ? 0 : 1;
        if (!r.updated && r.skip_reason != "loss above threshold")
            std::cerr << "\ndistill: iteration " << r.iteration << ": " << r.skip_reason << "; update skipped\n";
        p.done = it + 1;
        p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        char detail[160];
        std::snprintf(detail, sizeof detail, "it %lld, loss %.4f, lr %.5f, start %lld", static_cast<long long>(it + 1),
                      r.loss, r.lr, static_cast<long long>(r.start_epoch));
        p.detail = detail;
        bar.update(p);
        if (cfg.eval_every > 0 && (it + 1) % cfg.eval_every == 0 && it + 1 < cfg.iterations) {
            bar.finish();
            std::cout << "iteration " << it + 1 << ":\n";
            evaluate_logged("synthetic", it + 1, [&](const ProgressFn& f) { return run.evaluate(eval_cfg, f); }, o, log);
        }
    }
    bar.finish();

    SyntheticSet set;
    set.images = run.images();
    set.labels = run.label_targets();
    set.lr = run.lr();
    set.info = {{"dataset", data.name},          {"transform", data.transform.describe()},
                {"net", run.net().spec().describe()}, {"method", cfg.method},
                {"gradient_mode", to_string(cfg.mode)}, {"label_mode", to_string(cfg.labels)},
                {"ipc", std::to_string(cfg.ipc)},   {"iteration", std::to_string(run.iteration())}};
    const auto set_path = (fs::path(out) / "synthetic.dsyn").string();
    save_synthetic_set(set_path, set);
    write_file_atomically((fs::path(out) / "settings.preset").string(),
                          [&](std::ostream& f) { f << "# the settings of this run\n" << s.to_text(); });
    std::cout << "distill: " << run.iteration() << " iterations (" << skipped << " updates skipped), learned lr "
              << run.lr() << "; synthetic set written to " << set_path << "\n";
    if (g_interrupted) {
        log.write((fs::path(out) / "metrics.csv").string());
        std::cout << "distill: interrupted; the synthetic set so far is saved\n";
        return 130;
    }
    std::cout << "evaluation (" << eval_cfg.networks << " networks x " << eval_cfg.epochs << " epochs, test accuracy):\n";
    const auto it = run.iteration();
    evaluate_logged("synthetic", it, [&](const ProgressFn& f) { return run.evaluate(eval_cfg, f); }, o, log);
    evaluate_logged("random real, hard labels", it,
                    [&](const ProgressFn& f) { return run.evaluate_random_real(eval_cfg, false, f); }, o, log);
    if (cfg.labels != LabelMode::Hard)
        evaluate_logged("random real, " + to_string(cfg.labels) + " soft labels", it,
                        [&](const ProgressFn& f) { return run.evaluate_random_real(eval_cfg, true, f); }, o, log);
    log.write((fs::path(out) / "metrics.csv").string());
    std::cout << "metrics: " << (fs::path(out) / "metrics.csv").string() << "\n";
    return g_interrupted ? 130 : 0;
}

}  // namespace distillery::cli
