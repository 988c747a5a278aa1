#pragma once
// What a run's folder holds besides its checkpoint, written alike by `distillery-cli distill` and
// the workbench, so that either can read or compare the other's runs: metrics.csv (a row per step
// and per evaluation), settings.preset (the settings the run was made from) and synthetic.dsyn
// (the synthetic set as it stands).
#include <cstdint>
#include <string>

#include "common/metrics_log.h"

namespace distillery {

class DistillRun;
struct EvalResult;
struct StepRecord;

inline constexpr const char* kMetricsName = "metrics.csv";
inline constexpr const char* kSettingsName = "settings.preset";
inline constexpr const char* kSyntheticName = "synthetic.dsyn";

MetricsLog::Row step_row(const StepRecord& r);
// `what`: "synthetic", or a baseline such as "random real, hard labels".
MetricsLog::Row eval_row(const std::string& what, std::int64_t iteration, const EvalResult& r);

// Writes synthetic.dsyn and settings.preset into `folder` (each atomically); throws Error.
void write_synthetic_and_settings(const DistillRun& run, const std::string& settings_text, const std::string& folder);

}  // namespace distillery
