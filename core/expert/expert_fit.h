#pragma once
#include <string>

#include "data/transform.h"
#include "expert/expert_trainer.h"

namespace distillery {

// Checks that every expert in `dir` is what the settings describe before a run matches against
// them: trained on this data set and transform, as the network the settings name (width and
// depth), with the optimiser they name (SGD, or GSAM with its rho and alpha), for at least the
// settings' train_epochs. A run on other experts would go on silently with another network or
// data set than the one asked for. Throws an Error naming the file, what it holds and the setting
// that disagrees.
void check_experts_fit(const std::string& dir, const PreparedData& data, const ExpertConfig& cfg);

}  // namespace distillery
