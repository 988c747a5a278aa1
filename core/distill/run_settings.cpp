#include "distill/run_settings.h"

#include <algorithm>
#include <cctype>
#include <numeric>

#include "common/error.h"
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
                                  "gsam_adaptive", "include"};

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), 0);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

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
    const auto& keys = known_setting_keys();
    return *std::min_element(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
        return edit_distance(key, a) < edit_distance(key, b);
    });
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
