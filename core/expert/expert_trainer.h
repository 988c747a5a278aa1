#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/progress.h"
#include "config/settings.h"
#include "data/transform.h"
#include "nn/convnet.h"
#include "train/gsam.h"
#include "train/training_recipe.h"

namespace distillery {

// How experts are trained (spec 3.1, MTT's buffer.py): plain SGD at a constant lr, DSA on every
// batch, theta saved after every epoch.
struct ExpertConfig : TrainingRecipe {
    std::int64_t num_experts = 100;
    std::int64_t train_epochs = 50;
    double lr = 0.01;
    // "sgd" (MTT's and TESLA's experts) or "gsam" (DATM's, from FTD: flatter trajectories).
    std::string optimizer = "sgd";
    Gsam gsam;  // with optimizer "gsam"
    // "constant" (MTT's experts: lr every epoch) or "cosine": epoch e of E trains at
    // lr * (1 + cos(pi (e - 1) / E)) / 2, so the expert settles and its later epochs move less.
    std::string lr_schedule = "constant";

    // Keys: num_experts, train_epochs, lr_teacher, mom, l2, expert_optimizer, gsam_rho,
    // gsam_alpha, gsam_adaptive, expert_lr_schedule and the recipe's (TrainingRecipe::read).
    static ExpertConfig from_settings(const Settings& s, const std::string& dataset_name);
    bool uses_gsam() const { return optimizer == "gsam"; }
    // The learning rate of epoch `epoch` (1-based) under lr_schedule.
    double lr_of_epoch(std::int64_t epoch) const;
};

struct ExpertEpoch {
    std::int64_t expert = 0;
    std::int64_t epoch = 0;  // 1-based: the checkpoint saved after this epoch
    double train_loss = 0;
    double test_accuracy = 0;
    double seconds = 0;      // wall time of this epoch's training pass
    std::int64_t images = 0; // images trained on in this epoch
};

struct ExpertReport {
    std::int64_t already_present = 0;
    std::int64_t trained = 0;
    std::vector<std::int64_t> trained_indices;  // the experts trained now, in order
    bool cancelled = false;
    std::vector<double> final_accuracy;  // of the experts trained now
    double train_seconds = 0;
    std::int64_t train_images = 0;
    double images_per_second() const { return train_seconds > 0 ? train_images / train_seconds : 0; }
};

class TrajectoryFile;

// A header value of an expert file; for experts written before a key was recorded, the value they
// were made with (expert_optimizer: sgd, expert_lr_schedule: constant).
std::string expert_value(const TrajectoryFile& t, const std::string& key);
// That value for a header without `key` (empty for keys every expert file has).
std::string expert_default(const std::string& key);

// The folder the experts of these settings live in by default, relative to the working folder:
// runs/experts/<data set, ZCA, training slice, network and expert schedule>, so presets that share
// experts share the folder (the CLI and the workbench both use it).
std::string default_experts_dir(const Settings& s);

// Trains experts into `dir` until it holds cfg.num_experts. Experts already there (from an
// interrupted run) are kept after checking that they were made with the same settings, and
// generation continues with the next one; an expert cut off mid-way is started again. Each
// expert's draws come from its own seed (cfg.seed, index), so an interrupted and resumed
// generation writes the same files as an uninterrupted one.
ExpertReport generate_experts(const PreparedData& data, const ExpertConfig& cfg, const std::string& dir,
                              const ProgressFn& progress = nullptr,
                              const std::function<void(const ExpertEpoch&)>& on_epoch = nullptr);

// The experts of 0..cfg.num_experts-1 that `dir` lacks, ascending, after checking that those it
// holds were made with the same settings (an Error names the first that was not).
std::vector<std::int64_t> missing_experts(const PreparedData& data, const ExpertConfig& cfg, const std::string& dir);

// Trains the experts `indices` into `dir` and nothing else: one rank's share of a generation that
// several processes make together (core/distributed/expert_share.h). Each file is the same as a
// single process writes, since expert i's draws come from its own seed.
ExpertReport generate_experts_at(const PreparedData& data, const ExpertConfig& cfg, const std::string& dir,
                                 const std::vector<std::int64_t>& indices, const ProgressFn& progress = nullptr,
                                 const std::function<void(const ExpertEpoch&)>& on_epoch = nullptr);

}  // namespace distillery
