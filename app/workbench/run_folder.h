#pragma once
// Where the workbench keeps its runs and experts, and what a run's folder holds: one folder per
// run, named by when it started, with the checkpoint and the files distillery-cli writes beside
// its own (metrics.csv, settings.preset, synthetic.dsyn), so a run folder reads the same whichever
// made it (run comparison, `eval --synthetic`, a spreadsheet).
#include <QString>

#include <string>
#include <vector>

#include "common/metrics_log.h"
#include "config/settings.h"

namespace distillery {
class DistillRun;
}

namespace distillery::ui {

// Both under the application's data folder (~/.local/share/Distillery/Distillery): the runs, and
// the experts a setup trains when it names no folder.
QString defaultRunsDir();
QString defaultExpertsDir(const Settings& s);

// The checkpoint of a new run on `dataset`: <root>/<dataset>-<yyyyMMdd-hhmmss>/checkpoint.dckpt
// (the name distillery-cli uses), with -2, -3, ... after the time when that folder exists, so no
// run overwrites another's. `root` empty: defaultRunsDir(). Nothing is created yet.
QString newRunCheckpointPath(const QString& root, const QString& dataset);

// Writes metrics.csv (the run's steps, then `evaluations`), settings.preset and synthetic.dsyn
// into the folder of `checkpoint`. Each file is written atomically, so a failure leaves the
// previous one; throws a std::exception saying what failed.
void writeRunFiles(const DistillRun& run, const std::string& settings_text,
                   const std::vector<MetricsLog::Row>& evaluations, const QString& checkpoint);

}  // namespace distillery::ui
