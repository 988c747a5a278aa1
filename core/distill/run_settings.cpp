#include "distill/run_settings.h"

#include <algorithm>

#include "common/error.h"
#include "common/nearest_word.h"
#include "distill/config.h"
#include "eval/evaluate.h"
#include "expert/expert_trainer.h"

namespace distillery {
namespace {

// Keys read outside DistillConfig: the data set (prepare_from_settings), the experts' and the
// evaluation's training (ExpertConfig, EvalConfig), and a preset's starting point.
const char* const kOtherKeys[] = {"dataset",     "zca",         "train_per_class", "num_experts",  "train_epochs",
                                  "batch_train", "mom",         "l2",              "net_width",    "net_depth",
                                  "num_eval",    "epoch_eval_train", "expert_optimizer", "gsam_rho", "gsam_alpha",
                                  "gsam_adaptive", "expert_lr_schedule", "include"};

}  // namespace

const std::vector<std::string>& known_setting_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> all = DistillConfig::keys();
        for (const char* key : kOtherKeys)
            if (std::find(all.begin(), all.end(), key) == all.end()) all.push_back(key);
        return all;
    }();
    return keys;
}

std::string nearest_setting_key(const std::string& key) {
    return nearest_word(key, known_setting_keys());
}

void check_set_key(const std::string& assignment) {
    Settings one;
    one.assign(assignment);
    const auto& key = one.keys().front();
    const auto& known = known_setting_keys();
    if (std::find(known.begin(), known.end(), key) == known.end())
        throw Error("--set " + assignment + ": unknown setting '" + key + "'; did you mean '" + nearest_setting_key(key) +
                    "'? (`distillery-cli presets quick` shows the keys)");
}

void validate_run_settings(const Settings& s) {
    const auto& known = known_setting_keys();
    for (const auto& key : s.keys())
        if (std::find(known.begin(), known.end(), key) == known.end())
            throw Error(s.source() + ": unknown setting '" + key + "'; did you mean '" + nearest_setting_key(key) +
                        "'? (`distillery-cli presets quick` shows the keys)");
    // Building each part's configuration checks its values, as the part itself would later; the
    // data set's name only picks the default augmentation, which is always valid.
    const std::string dataset = s.text("dataset", "fashion-mnist");
    DistillConfig::from_settings(s, dataset);
    ExpertConfig::from_settings(s, dataset);
    EvalConfig::from_settings(s, dataset);
    if (s.integer("train_per_class", 0) < 0) throw Error(s.source() + ": train_per_class must not be negative");
    s.flag("zca", false);
}

}  // namespace distillery
