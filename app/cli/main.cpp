// distillery-cli: expert trajectories and evaluation from the command line.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <tuple>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/interrupts.h"
#include "common/metrics_log.h"
#include "cli/progress_bar.h"
#include "common/numbers.h"
#include "common/error.h"
#include "common/runtime.h"
#include "config/settings.h"
#include "data/transform.h"
#include "distill/run_settings.h"
#include "distill/synthetic_set.h"
#include "distributed/expert_share.h"
#include "distributed/launch.h"
#include "distributed/process_group.h"
#include "eval/evaluate.h"
#include "expert/expert_trainer.h"
#include "nn/architectures.h"

namespace fs = std::filesystem;
using namespace distillery;
using namespace distillery::cli;

namespace {

const char* kUsage = R"(usage: distillery-cli <command> [options]

commands:
  demo       the default job: `distill` with the quick preset on Fashion-MNIST (experts first
             if missing), then the distilled set and a random real subset evaluated side by side
  distill    run a distillation preset or config to completion; writes the synthetic set
             (synthetic.dsyn), the learned lr, per-step metrics and evaluations into --out
  experts    train expert trajectories into a folder (continues an interrupted generation)
  eval       evaluate a synthetic set (--synthetic FILE), or alone the random real subset that
             `distill` compares with (--ipc)
  presets    list the presets; `presets NAME` prints one
  info       print the runtime and the data set the settings select
  export-pt  write a synthetic set (--synthetic FILE) as images_best.pt, labels_best.pt and
             lr_best.pt into --out DIR, for PyTorch (torch.load) and the reference scripts
  import-experts FILE...
             add MTT replay buffers (replay_buffer_<n>.pt) to the expert folder (--experts, or the
             settings' default); --preset/--data/--set describe the buffers' network
  import-synthetic [DIR]
             turn a synthetic set saved by Python (--images, --labels, optional --lr; or
             DIR/images_best.pt, labels_best.pt, lr_best.pt) into a .dsyn file (--out FILE)

options:
  --preset NAME|FILE   settings to start from (default: quick); see `presets`
  --data SPEC          data set: fashion-mnist, mnist, cifar10:DIR, cifar100:DIR, folder:DIR[:HxWxC], DIR
  --set KEY=VALUE      change one setting (repeatable), e.g. --set gradient_mode=exact
  --experts DIR        expert folder (default: runs/experts/<data, network and schedule>)
  --out DIR            distill: output folder (default: runs/<preset>); export-pt: the folder;
                       import-synthetic: the .dsyn file
  --iterations N       distill: number of iterations (the preset's Iteration)
  --ipc N              images per class
  --synthetic FILE     eval, export-pt: a synthetic set written by distill
  --arch NAME[,NAME...]
                       eval: the networks to train and test, each in turn (default convnet): convnet,
                       convnetbn, mlp, alexnet, vgg11, vgg11bn, resnet18, resnet18bn
  --baselines          eval --synthetic: also the random real subset `distill` compares with (same
                       images per class), with hard labels and, for a soft-labelled set, with the same
                       kind of soft labels from the experts
  --images FILE, --labels FILE, --lr FILE
                       import-synthetic: the .pt files (the lr defaults to the settings' lr_teacher)
  --metrics FILE       write metrics; .json for JSON, else CSV (distill also writes --out/metrics.csv)
  --checkpoint-every K distill: save --out/checkpoint.dckpt every K iterations (default 10; 0: only
                       at the end); it is always saved at the end, on Ctrl-C and when a guard stops the run
  --resume PATH|DIR    distill: continue the run saved in a checkpoint (or an --out folder), with its
                       settings, data and experts; --set may change hyperparameters that can change mid-run
  --device D           auto (default), cpu or cuda (several processes: Gloo on CPU, NCCL on CUDA)
  --threads N          CPU threads (default: all cores)
  --quiet              no progress bars
  -h, --help           this text

several processes (experts, distill): started by torchrun, srun or by hand, each with the
environment variables RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT (and LOCAL_RANK for its GPU);
experts: each rank trains its share; distill: every rank matches its own expert and the
gradients are averaged; rank 0 writes --out and --metrics (see the README)

exit status: 0 done, 2 a bad option, setting or file (or a folder another run is using), 3 an
internal error (a bug: please report it), 4 a guard stopped `distill` (a non-finite loss, a runaway
learned lr, out of memory: the message says what to change), 5 another process of a job of
several stopped or cannot be reached, 130 interrupted (Ctrl-C, SIGTERM)
)";

// A rank that lost the others of its job.
constexpr int kExitRankLost = 5;

Options parse_args(int argc, char** argv) {
    Options o;
    auto value = [&](int& i) -> std::string {
        if (i + 1 >= argc) throw Error(std::string("option ") + argv[i] + " needs a value");
        return argv[++i];
    };
    auto integer = [&](int& i) -> std::int64_t {
        const std::string flag = argv[i], v = value(i);
        const auto n = parse_int(v);
        if (!n || *n <= 0) throw Error("option " + flag + " needs a positive integer, not '" + v + "'");
        return *n;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help") o.command = "help";
        else if (a == "--preset") o.preset = value(i);
        else if (a == "--data") o.data = value(i);
        else if (a == "--set") o.sets.push_back(value(i));
        else if (a == "--experts") o.experts_dir = value(i);
        else if (a == "--out") o.out_dir = value(i);
        else if (a == "--synthetic") o.synthetic = value(i);
        else if (a == "--images") o.images = value(i);
        else if (a == "--labels") o.labels = value(i);
        else if (a == "--lr") o.lr_file = value(i);
        else if (a == "--iterations") o.iterations = integer(i);
        else if (a == "--ipc") o.ipc = integer(i);
        else if (a == "--metrics") o.metrics = value(i);
        else if (a == "--device") o.device = value(i);
        else if (a == "--threads") o.threads = static_cast<int>(integer(i));
        else if (a == "--quiet") o.quiet = true;
        else if (a == "--checkpoint-every") {
            const std::string v = value(i);
            const auto n = parse_int(v);
            if (!n || *n < 0)
                throw Error("option --checkpoint-every needs a number of iterations (0: only at the end), not '" + v + "'");
            o.checkpoint_every = *n;
        } else if (a == "--resume") o.resume = value(i);
        else if (a == "--arch") o.arch = value(i);
        else if (a == "--baselines") o.baselines = true;
        else if (!a.empty() && a[0] == '-') throw Error("unknown option '" + a + "' (see --help)");
        else if (o.command.empty()) o.command = a;
        else o.positional.push_back(a);
    }
    if (o.command.empty()) o.command = "help";
    return o;
}

Settings settings_for(const Options& o) {
    Settings s = load_preset(o.preset);
    if (!o.data.empty()) s.set("dataset", o.data);
    for (const auto& a : o.sets) {
        check_set_key(a);
        s.assign(a);
    }
    if (o.ipc > 0) s.set("ipc", std::to_string(o.ipc));
    if (o.iterations >= 0) s.set("Iteration", std::to_string(o.iterations));
    return s;
}

}  // namespace

namespace distillery::cli {

bool Options::lead() const { return group == nullptr || group->rank() == 0; }

std::string metrics_path_for_rank(const Options& o) {
    if (o.lead() || o.metrics.empty()) return o.metrics;
    const fs::path path(o.metrics);
    return (path.parent_path() / (path.stem().string() + ".rank" + std::to_string(o.group->rank()) +
                                  path.extension().string()))
        .string();
}

std::string experts_dir_for(const Settings& s, const Options& o) {
    return o.experts_dir.empty() ? default_experts_dir(s) : o.experts_dir;
}

std::string percent(double fraction) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * fraction);
    return buf;
}

PreparedData load_data(const Settings& s, const Options& o) {
    const std::string device = resolve_device(o.device);
    if (!o.quiet) std::cerr << "loading " << s.text("dataset", "fashion-mnist") << " ...\n";
    auto data = prepare_from_settings(s, device);
    std::cout << "data: " << data.name << ", " << data.train_x.size(0) << " training and " << data.test_x.size(0)
              << " test images of " << data.channels() << "x" << data.height() << "x" << data.width() << ", "
              << data.num_classes() << " classes, " << data.transform.describe() << ", on " << device << "\n";
    return data;
}

int run_experts(const Settings& s, const Options& o, const PreparedData& data, MetricsLog& log) {
    const auto cfg = ExpertConfig::from_settings(s, data.name);
    const std::string dir = experts_dir_for(s, o);
    std::cout << "experts: " << cfg.num_experts << " x " << cfg.train_epochs << " epochs into " << dir << " ("
              << cfg.net_for(data).describe() << ", lr " << cfg.lr
              << (cfg.lr_schedule == "constant" ? "" : " on a " + cfg.lr_schedule + " schedule") << ", DSA "
              << cfg.dsa_strategy << ")\n";
    // Several processes: each trains its share of the missing experts (rank 0 lists them).
    std::vector<std::int64_t> share;
    if (o.group) {
        share = experts_for_rank(data, cfg, dir, *o.group);
        std::cout << "experts: " << o.group->environment().describe() << " trains " << share.size()
                  << " of the missing experts\n";
    }
    cli::ProgressBar bar(o.quiet);
    const auto keep_going = [&](const Progress& p) { bar.update(p); return cli::g_interrupted == 0; };
    const auto on_epoch = [&](const ExpertEpoch& e) {
            log.add({{"kind", "expert_epoch"}, {"expert", std::to_string(e.expert)}, {"epoch", std::to_string(e.epoch)},
                     {"train_loss", number(e.train_loss)}, {"test_accuracy", number(e.test_accuracy)},
                     {"seconds", number(e.seconds)},
                     {"images_per_second", number(e.images / std::max(e.seconds, 1e-9))}});
        };
    const auto report = o.group ? generate_experts_at(data, cfg, dir, share, keep_going, on_epoch)
                                : generate_experts(data, cfg, dir, keep_going, on_epoch);
    bar.finish();
    if (report.already_present > 0)
        std::cout << "experts: " << report.already_present << " already in " << dir << ", kept\n";
    for (size_t i = 0; i < report.final_accuracy.size(); ++i)
        std::cout << "expert " << report.trained_indices[i] << ": test accuracy "
                  << percent(report.final_accuracy[i]) << " after " << cfg.train_epochs << " epochs\n";
    if (report.trained > 0)
        std::cout << "experts: trained " << report.trained << " at " << static_cast<long>(report.images_per_second())
                  << " images/s\n";
    if (o.group) {
        // Also where the ranks wait for each other: the folder is complete when this returns.
        const int stopped = o.group->count(report.cancelled, "the end of the expert generation");
        if (stopped > 0) {
            std::cout << "experts: interrupted on " << stopped << " of " << o.group->world_size()
                      << " ranks; the complete experts are kept, run the same command again to continue\n";
            return 130;
        }
        return 0;
    }
    if (report.cancelled) {
        std::cout << "experts: interrupted; " << report.already_present + report.trained
                  << " complete experts are kept, run the same command again to continue\n";
        return 130;
    }
    return 0;
}


}  // namespace distillery::cli

namespace {

int run(const Options& options) {
    Options o = options;
    if (o.command == "help") {
        std::cout << kUsage;
        return 0;
    }
    if (o.command == "presets") {
        if (o.positional.empty()) {
            // Each preset's first comment line is its description.
            for (const auto& name : preset_names()) {
                const auto text = preset_text(name);
                const auto line = text.substr(0, text.find('\n'));
                std::printf("%-26s %s\n", name.c_str(), line.rfind("# ", 0) == 0 ? line.c_str() + 2 : "");
            }
        } else {
            std::cout << preset_text(o.positional.front());
        }
        return 0;
    }
    if (o.command == "export-pt") return run_export_pt(o);
    if (o.command == "import-experts" || o.command == "import-synthetic") {
        init_runtime(o.threads);
        const Settings s = settings_for(o);
        validate_run_settings(s);
        return o.command == "import-experts" ? run_import_experts(s, o) : run_import_synthetic(s, o);
    }
    const bool known = o.command == "demo" || o.command == "experts" || o.command == "eval" || o.command == "info" ||
                       o.command == "distill";
    if (!known) throw Error("unknown command '" + o.command + "' (see --help)");
    init_runtime(o.threads);
    // One rank of several: join the others first, so that a rank that refuses its input below
    // ends the job at once (its connections close) instead of leaving the others waiting.
    const auto launch = launch_environment_from_env();
    std::unique_ptr<ProcessGroup> group;
    if (launch.distributed()) {
        if (o.command != "experts" && o.command != "distill")
            throw Error("WORLD_SIZE is " + std::to_string(launch.world_size) + ", but only `experts` and `distill` run "
                        "across processes; run `" + o.command + "` in one process (unset WORLD_SIZE)");
        const auto device = resolve_device(o.device);
        // The rendezvous waits for every rank (up to DISTILLERY_DIST_TIMEOUT): say for what.
        if (!o.quiet)
            std::cerr << "distributed: " << launch.describe() << " waiting for the other ranks at " << launch.master_addr
                      << ":" << launch.master_port << " ...\n";
        group = ProcessGroup::connect(launch, device);
        o.group = group.get();
        if (!o.lead()) o.quiet = true;  // one progress bar per job: rank 0's
        std::cout << "distributed: " << launch.describe() << " (local rank " << launch.local_rank << "), "
                  << group->backend() << ", rendezvous at " << launch.master_addr << ":" << launch.master_port << "\n";
    }
    const Settings s = o.resume.empty() ? settings_for(o) : resume_settings(o);
    validate_run_settings(s);
    if (o.command == "eval") parse_architectures(o.arch);  // a misspelt name, before any data is read
    if (o.command == "info") {
        std::cout << runtime_summary() << "\n" << "preset: " << o.preset << "\n" << s.to_text();
        load_data(s, o);
        return 0;
    }
    stop_at_interrupts();
    std::cout << runtime_summary() << "\n";
    const auto data = load_data(s, o);
    MetricsLog log;
    int rc = 0;
    if (o.command == "experts") rc = run_experts(s, o, data, log);
    if (o.command == "eval") rc = run_eval(s, o, data, log);
    if (o.command == "distill" || o.command == "demo") rc = run_distill(s, o, data, log);
    if (!o.metrics.empty()) {
        const auto metrics = metrics_path_for_rank(o);
        log.write(metrics);
        std::cout << "metrics: " << metrics << "\n";
    }
    return rc;
}

}  // namespace

int main(int argc, char** argv) {
    route_interrupts_off_compute_threads();
    try {
        return run(parse_args(argc, argv));
    } catch (const RankLost& e) {
        std::cerr << "distillery-cli: " << e.what() << "\n";
        return kExitRankLost;
    } catch (const Error& e) {
        // A long job stopped by Ctrl-C or SIGTERM reports it as an Error at its next safe point.
        if (cli::g_interrupted) {
            std::cerr << "distillery-cli: interrupted (" << e.what() << ")\n";
            return 130;
        }
        std::cerr << "distillery-cli: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        // Not a refusal the engine explains: a bug. LibTorch's messages carry a stack trace after
        // their first line, which says what failed.
        const std::string what = e.what();
        std::cerr << "distillery-cli: internal error: " << what.substr(0, what.find('\n'))
                  << "\nThis is a bug in Distillery, not in your input; please report it with the command that caused it.\n";
        return 3;
    }
}
