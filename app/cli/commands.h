#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "cli/interrupts.h"
#include "common/metrics_log.h"
#include "config/settings.h"
#include "data/transform.h"

namespace distillery {
class ProcessGroup;
}

namespace distillery::cli {

struct Options {
    std::string command;
    std::vector<std::string> positional;
    std::string preset = "quick";
    std::string data;
    std::vector<std::string> sets;
    std::string experts_dir;
    std::string out_dir;
    std::string synthetic;
    std::string images, labels, lr_file;  // import-synthetic: the .pt files
    std::int64_t ipc = 0;
    std::int64_t iterations = -1;
    std::string metrics;
    std::string device = "auto";
    int threads = 0;
    bool quiet = false;
    std::int64_t checkpoint_every = 10;  // distill: a checkpoint every this many iterations (0: only at the end)
    std::string resume;                  // distill: a checkpoint, or the folder of one, to continue
    std::string arch = "convnet";        // eval: the networks to train, comma-separated
    bool baselines = false;              // eval --synthetic: also the random real subsets
    // The job's other processes when this is one rank of several (RANK, WORLD_SIZE, ... set);
    // null for a single process. Rank 0 writes the run folder and the metrics.
    ProcessGroup* group = nullptr;
    bool lead() const;  // a single process, or rank 0
};

// --metrics FILE for this process: FILE itself on rank 0 (or a single process), and FILE with
// ".rank<r>" before its extension on the other ranks, so that each file has one writer.
std::string metrics_path_for_rank(const Options& o);

// distill: the checkpoint's name inside --out.
constexpr const char* kCheckpointName = "checkpoint.dckpt";
// distill: the exit code when a guard stopped the run (a non-finite loss, a runaway lr, out of
// memory); the checkpoint then holds the state before the failed iteration.
constexpr int kExitGuard = 4;

// --experts, or else default_experts_dir(s).
std::string experts_dir_for(const Settings& s, const Options& o);
PreparedData load_data(const Settings& s, const Options& o);
std::string percent(double fraction);

// `experts`: trains what is missing in the experts folder. Returns the exit code (130 if stopped).
int run_experts(const Settings& s, const Options& o, const PreparedData& data, MetricsLog& log);
// `distill --resume`: the settings the checkpoint's run was made from, with the --set changes
// that may apply mid-run. Throws an Error for options that cannot change when resuming.
Settings resume_settings(const Options& o);
// `distill`: experts first if missing (or the run continued from --resume), then the
// distillation run with checkpoints, evaluations and outputs.
int run_distill(const Settings& s, const Options& o, const PreparedData& data, MetricsLog& log);

// eval: a synthetic set (--synthetic) or a random real subset, on each --arch network; with
// --baselines, the random real subsets beside the synthetic set (eval_command.cpp).
int run_eval(const Settings& s, const Options& o, const PreparedData& data, MetricsLog& log);

// Files shared with the Python references (interop_commands.cpp). `export-pt`: a .dsyn as
// images_best.pt, labels_best.pt and lr_best.pt; `import-experts`: MTT replay buffers into the
// expert folder; `import-synthetic`: images_best.pt / labels_best.pt / lr_best.pt into a .dsyn.
int run_export_pt(const Options& o);
int run_import_experts(const Settings& s, const Options& o);
int run_import_synthetic(const Settings& s, const Options& o);

}  // namespace distillery::cli
