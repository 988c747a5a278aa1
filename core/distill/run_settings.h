#pragma once
#include <string>
#include <vector>

#include "config/settings.h"

namespace distillery {

// Every key a run's settings may hold: the data set's, the experts' and the evaluation's
// training recipes, and the distillation hyperparameters (DistillConfig::keys()).
const std::vector<std::string>& known_setting_keys();

// The known key closest to `key` in spelling (edit distance), for "did you mean" advice.
std::string nearest_setting_key(const std::string& key);

// Refuses a command line's `--set KEY=VALUE` whose key no part of a run knows, naming the
// assignment and the nearest known key (validate_run_settings would blame the preset).
void check_set_key(const std::string& assignment);

// Checks settings before any work starts: every key is known (a misspelt key would otherwise be
// ignored and its default used), and every value is one that the data set, the experts, the
// distillation and the evaluation would accept. Throws an Error naming the key.
void validate_run_settings(const Settings& s);

}  // namespace distillery
