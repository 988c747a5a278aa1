// `distillery-cli distill` (and `demo`): experts if missing, the distillation run with progress,
// evaluations at intervals and at the end beside the random-real baselines, and the outputs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "common/error.h"
#include "common/folder_lock.h"
#include "distill/checkpoint.h"
#include "distill/run.h"
#include "distill/run_outputs.h"
#include "distill/run_settings.h"
#include "distributed/gradient_exchange.h"
#include "distributed/process_group.h"
#include "distributed/run_agreement.h"
#include "expert/expert_fit.h"
#include "expert/expert_trainer.h"
#include "expert/trajectory.h"

namespace fs = std::filesystem;

namespace distillery::cli {
namespace {

// An evaluation with its progress bar and metrics row; nothing when Ctrl-C stopped it.
std::optional<EvalResult> evaluate_logged(const std::string& what, std::int64_t iteration, const std::function<EvalResult(const ProgressFn&)>& eval,
                           const Options& o, MetricsLog& log) {
    ProgressBar bar(o.quiet);
    EvalResult r;
    try {
        r = eval([&](const Progress& p) {
            Progress shown = p;
            shown.task = "eval";
            shown.detail = what + ", " + p.detail;
            bar.update(shown);
            return g_interrupted == 0;
        });
    } catch (const Error&) {
        bar.finish();
        if (g_interrupted) return std::nullopt;  // Ctrl-C: the evaluation stopped, the run is kept
        throw;
    }
    bar.finish();
    std::printf("  %-34s %s\n", (what + ":").c_str(), r.summary().c_str());
    log.add(eval_row(what, iteration, r));
    return r;
}

// --resume takes a checkpoint file or the folder a run wrote it into.
std::string checkpoint_path(const std::string& file_or_dir) {
    return fs::is_directory(file_or_dir) ? (fs::path(file_or_dir) / kCheckpointName).string() : file_or_dir;
}

std::pair<std::string, std::string> split_assignment(const std::string& assignment) {
    Settings one;
    one.assign(assignment);
    const auto& key = one.keys().front();
    return {key, one.text(key)};
}

bool is_distill_key(const std::string& key) {
    const auto& keys = DistillConfig::keys();
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

}  // namespace

Settings resume_settings(const Options& o) {
    if (o.command != "distill") throw Error("--resume continues a `distill` run; it does not go with " + o.command);
    if (!o.data.empty() || o.ipc > 0 || o.preset != "quick")
        throw Error("--resume takes the data set, the images per class and the settings from the checkpoint; "
                    "leave out --data, --ipc and --preset");
    const auto path = checkpoint_path(o.resume);
    const auto info = read_checkpoint_info(path);
    Settings s = Settings::parse(info.settings_text, path + " (the run's settings)");
    for (const auto& assignment : o.sets) {
        check_set_key(assignment);
        const auto key = split_assignment(assignment).first;
        // Distillation hyperparameters go through DistillRun::set(), which refuses those that
        // shape the synthetic set; the evaluation protocol may change. Everything else decides
        // the data, the experts or the network, which the saved state depends on.
        if (!is_distill_key(key) && key != "num_eval" && key != "epoch_eval_train")
            throw Error("--set " + key + ": cannot change when resuming (it decides the data, the experts or the "
                        "network); distillation hyperparameters, num_eval and epoch_eval_train can");
        s.assign(assignment);
    }
    if (o.iterations >= 0) s.set("Iteration", std::to_string(o.iterations));
    return s;
}

std::string distill_out_dir(const Options& o) {
    if (!o.out_dir.empty()) return o.out_dir;
    if (o.resume.empty()) return (fs::path("runs") / fs::path(o.preset).stem()).string();
    const fs::path checkpoint = checkpoint_path(o.resume);
    return checkpoint.has_parent_path() ? checkpoint.parent_path().string() : ".";
}

int run_distill(const Settings& s, const Options& o, const PreparedData& data, MetricsLog& log) {
    const auto eval_cfg = EvalConfig::from_settings(s, data.name);
    std::unique_ptr<DistillRun> run;
    std::string experts_dir;
    // Before any work: the folder must take files, and no other run may be writing it. In a job
    // of several processes rank 0 alone writes it and holds its lock for the whole job; the
    // others never write there (resuming, they only read the checkpoint), and they learn from the
    // vote when rank 0 cannot take it.
    const std::string out = distill_out_dir(o);
    std::optional<FolderLock> lock;
    std::string lock_problem;
    try {
        if (o.lead())
            lock.emplace(out, "distillery-cli " + o.command +
                                  (o.group ? ", rank 0 of " + std::to_string(o.group->world_size()) : std::string()));
    } catch (const Error& e) {
        if (!o.group) throw;
        lock_problem = e.what();
    }
    if (o.group && o.group->count(!lock_problem.empty(), "taking the run folder") > 0) {
        if (!lock_problem.empty()) throw Error(lock_problem);
        throw Error(o.group->environment().describe() + ": rank 0 cannot write the run folder " + out +
                    " (its output says why)");
    }
    // The configuration as it will be once the --set changes of a resumed run apply (at its next
    // step): the number of iterations and the evaluation interval come from here.
    DistillConfig cfg;
    if (!o.resume.empty()) {
        const auto path = checkpoint_path(o.resume);
        const auto info = read_checkpoint_info(path);
        experts_dir = o.experts_dir.empty() ? info.experts_dir : o.experts_dir;
        run = resume_run(path, std::make_shared<PreparedData>(data), experts_dir);
        cfg = run->config();
        auto changes = o.sets;
        if (o.iterations >= 0) changes.push_back("Iteration=" + std::to_string(o.iterations));
        for (const auto& assignment : changes) {
            const auto [key, value] = split_assignment(assignment);
            if (!is_distill_key(key)) continue;
            const auto problem = run->set(key, value);
            if (!problem.empty()) throw Error("--set " + key + "=" + value + ": " + problem);
            cfg.apply(key, value);
        }
        for (const auto& r : run->history()) log.add(step_row(r));
        std::cout << "distill: resuming " << path << " at iteration " << run->iteration() << "\n";
    } else {
        cfg = DistillConfig::from_settings(s, data.name);
        const auto expert_cfg = ExpertConfig::from_settings(s, data.name);
        experts_dir = experts_dir_for(s, o);
        // Several processes train the missing experts together when rank 0 finds some missing.
        const bool missing = ExpertStore(experts_dir).count() < expert_cfg.num_experts;
        if (o.group ? o.group->count(o.lead() && missing, "the expert check") > 0 : missing) {
            const int rc = run_experts(s, o, data, log);
            if (rc != 0) return rc;
        }
        check_experts_fit(experts_dir, data, expert_cfg);
        run = std::make_unique<DistillRun>(std::make_shared<PreparedData>(data), experts_dir, cfg);
    }
    // One rank of several: the gradients are averaged at every step, and a Ctrl-C on any rank
    // stops every rank after the same iteration.
    std::shared_ptr<GradientExchange> exchange;
    if (o.group) {
        exchange = std::make_shared<GradientExchange>(*o.group, [] { return g_interrupted != 0; });
        run->set_exchange(exchange);
        const auto differs = check_ranks_agree(*run, s.to_text(), *o.group, "at the start");
        if (!differs.empty()) throw Error(differs);
    }
    const auto stop_requested = [&] { return exchange ? exchange->stop_agreed() : g_interrupted != 0; };
    const std::string checkpoint = (fs::path(out) / kCheckpointName).string();
    // Checkpoints between the ends of the run are a safety net: when one cannot be written the
    // previous one stays, and the run goes on. The ones at the end must succeed.
    auto save = [&](bool must_succeed) {
        if (!o.lead()) return;  // rank 0 writes the run folder
        try {
            save_checkpoint(*run, s.to_text(), experts_dir, checkpoint);
            // With each checkpoint, the metrics so far: a workbench following the folder (File →
            // Follow a run folder) then shows the evaluations as they are made, not at the end.
            log.write((fs::path(out) / kMetricsName).string());
        } catch (const Error& e) {
            if (must_succeed) throw;
            std::cerr << "\ndistill: checkpoint not saved: " << e.what() << "; the run goes on\n";
        }
    };

    if (o.group)
        std::cout << "distill: " << o.group->world_size() << " ranks, " << o.group->world_size()
                  << " expert trajectories per update (one per rank), gradients averaged by " << o.group->backend()
                  << "\n";
    std::cout << "distill: " << cfg.method << ", " << to_string(cfg.mode) << " gradient, " << to_string(cfg.labels)
              << " labels, " << to_string(cfg.init) << " init, ipc " << cfg.ipc << ", " << cfg.syn_steps
              << " student steps towards epoch +" << cfg.expert_epochs << ", start epochs " << cfg.min_start_epoch
              << ".." << cfg.max_start_epoch - 1 << (cfg.sequential_generation ? " (growing window)" : "") << ", "
              << cfg.iterations << " iterations, " << run->experts_info().count << " experts in " << experts_dir << "\n";

    ProgressBar bar(o.quiet);
    Progress p;
    p.task = "distill";
    const auto first = run->iteration();
    p.total = std::max<std::int64_t>(cfg.iterations - first, 0);
    const auto start = std::chrono::steady_clock::now();
    StepRecord stopped;  // the step a guard stopped, if any
    double allreduce_seconds = 0, step_seconds = 0;
    while (run->iteration() < cfg.iterations && !stop_requested()) {
        StepRecord r;
        try {
            r = run->step();
        } catch (const Error&) {
            // A refusal inside a step (a damaged expert file, another rank gone) rolls the step
            // back: what the run reached so far is kept before the message ends the command.
            save(false);
            if (o.lead()) log.write((fs::path(out) / kMetricsName).string());
            throw;
        }
        allreduce_seconds += r.allreduce_seconds;
        step_seconds += r.seconds;
        log.add(step_row(r));
        if (!r.guard.empty()) {
            stopped = r;
            break;
        }
        const auto done = run->iteration();
        p.done = done - first;
        p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        char detail[160];
        std::snprintf(detail, sizeof detail, "it %lld, loss %.4f, lr %.5f, start %lld", static_cast<long long>(done),
                      r.loss, r.lr, static_cast<long long>(r.start_epoch));
        p.detail = detail;
        bar.update(p);
        if (o.checkpoint_every > 0 && done % o.checkpoint_every == 0 && done < cfg.iterations) save(false);
        if (o.lead() && cfg.eval_every > 0 && done % cfg.eval_every == 0 && done < cfg.iterations) {
            bar.finish();
            std::cout << "iteration " << done << ":\n";
            evaluate_logged("synthetic", done, [&](const ProgressFn& f) { return run->evaluate(eval_cfg, f); }, o, log);
        }
    }
    bar.finish();
    if (o.group && stopped.guard.empty()) {
        // Before rank 0 writes anything: every rank must hold the same run. (A guard that only
        // one rank saw, running out of memory, ends that rank; the others then lose it.)
        const auto differs = check_ranks_agree(*run, s.to_text(), *o.group, "at the end");
        if (!differs.empty()) throw Error(differs);
        const auto steps = static_cast<double>(std::max<std::int64_t>(run->iteration() - first, 1));
        std::printf("distill: the %d ranks hold the same synthetic set, bit for bit; %s spent %.3f ms per iteration "
                    "in the all-reduce (%.1f%% of its steps, waiting for the slowest rank included)\n",
                    o.group->world_size(), o.group->environment().describe().c_str(), 1000 * allreduce_seconds / steps,
                    100 * allreduce_seconds / std::max(step_seconds, 1e-12));
        std::fflush(stdout);
    }
    if (!o.lead()) {
        // Rank 0 writes the checkpoint, the outputs and the evaluations.
        if (!stopped.guard.empty()) {
            std::cerr << "distill: stopped at iteration " << stopped.iteration << ": " << stopped.guard << "\n";
            return kExitGuard;
        }
        return stop_requested() ? 130 : 0;
    }
    save(true);

    write_synthetic_and_settings(*run, s.to_text(), out);
    const auto set_path = (fs::path(out) / kSyntheticName).string();
    const auto history = run->history();
    const auto skipped = std::count_if(history.begin(), history.end(), [](const StepRecord& r) { return !r.updated; });
    std::cout << "distill: " << run->iteration() << " iterations (" << skipped << " updates skipped), learned lr "
              << run->lr() << "; synthetic set written to " << set_path << ", checkpoint to " << checkpoint << "\n";
    if (!stopped.guard.empty()) {
        log.write((fs::path(out) / kMetricsName).string());
        std::cerr << "\ndistill: stopped at iteration " << stopped.iteration << ": " << stopped.guard << "\n"
                  << "distill: the run is rolled back to before that iteration and saved in " << checkpoint
                  << ". Continue it with a changed setting, e.g.\n"
                  << "  distillery-cli distill --resume " << out << " --set KEY=VALUE\n";
        return kExitGuard;
    }
    if (stop_requested()) {
        log.write((fs::path(out) / kMetricsName).string());
        std::cout << "distill: interrupted; the synthetic set so far is saved; continue with\n"
                  << "  distillery-cli distill --resume " << out << "\n";
        return 130;
    }
    std::cout << "evaluation (" << eval_cfg.networks << " networks x " << eval_cfg.epochs << " epochs, test accuracy):\n";
    const auto it = run->iteration();
    const auto metrics = (fs::path(out) / kMetricsName).string();
    const bool done =
        evaluate_logged("synthetic", it, [&](const ProgressFn& f) { return run->evaluate(eval_cfg, f); }, o, log) &&
        evaluate_logged("random real, hard labels", it,
                        [&](const ProgressFn& f) { return run->evaluate_random_real(eval_cfg, false, f); }, o, log) &&
        (cfg.labels == LabelMode::Hard ||
         evaluate_logged("random real, " + to_string(cfg.labels) + " soft labels", it,
                         [&](const ProgressFn& f) { return run->evaluate_random_real(eval_cfg, true, f); }, o, log));
    log.write(metrics);
    std::cout << "metrics: " << metrics << "\n";
    if (!done || g_interrupted) {
        std::cout << "distill: interrupted during the final evaluation; the run is complete and saved in " << out
                  << "; evaluate it with\n  distillery-cli eval --synthetic " << set_path << "\n";
        return 130;
    }
    return 0;
}

}  // namespace distillery::cli
