#pragma once
#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/metrics_log.h"
#include "config/settings.h"
#include "data/transform.h"

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
    std::int64_t ipc = 0;
    std::int64_t iterations = -1;
    std::string metrics;
    std::string device = "auto";
    int threads = 0;
    bool quiet = false;
};

// Set by SIGINT/SIGTERM; long jobs stop at their next safe point and keep what they finished.
extern volatile std::sig_atomic_t g_interrupted;

// The folder experts of these settings live in by default: one per data set, transform, network
// and expert schedule, so presets that share experts share the folder.
std::string experts_dir_for(const Settings& s, const Options& o);
PreparedData load_data(const Settings& s, const Options& o);
std::string percent(double fraction);

// `experts`: trains what is missing in the experts folder. Returns the exit code (130 if stopped).
int run_experts(const Settings& s, const Options& o, const PreparedData& data, MetricsLog& log);
// `distill`: experts first if missing, then the distillation run, evaluations and outputs.
int run_distill(const Settings& s, const Options& o, const PreparedData& data, MetricsLog& log);

}  // namespace distillery::cli
