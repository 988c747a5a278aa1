#pragma once
// The engine's records turned into the plain records the views are fed (widgets/run_snapshot.h):
// the live run's (RunWorker) and a saved run's (RunLoader) go through the same conversions.
// For .cpp files that already use LibTorch; the views never include this.
#include <ATen/core/Tensor.h>

#include <QMap>
#include <QString>
#include <QVector>

#include <cstdint>
#include <string>
#include <vector>

#include "data/transform.h"
#include "widgets/run_snapshot.h"

namespace distillery {
class DistillRun;
struct ChangeRecord;
struct DistillConfig;
struct EvalResult;
struct MemoryMeasurement;
struct StepRecord;
}  // namespace distillery

namespace distillery::ui {

// One step as the plots need it.
StepPoint step_point(const StepRecord& r);

// The run's hyperparameter changes, which the plots mark.
QVector<ChangeMark> change_marks(const std::vector<ChangeRecord>& changes);

// One point of the memory-against-N sweep.
MemoryPoint memory_point(const MemoryMeasurement& m);

// An evaluation of `what` (e.g. "synthetic") after `iteration` iterations.
EvalPoint eval_point(std::int64_t iteration, const EvalResult& r, const QString& what);

// The values the hyperparameter panel shows for `c`: every key it edits, and the keys that decide
// which of them the method uses (method, label_mode, sequential_generation).
QMap<QString, QString> panel_values(const DistillConfig& c);

// `images` [N, C, H, W] in model space, mapped back to pixels by `transform` (normalisation or ZCA
// inverted) and clamped to [0, 1]; `classes` int64 [N], the class each image was made for;
// `targets` the labels the images are trained with: class indices [N] (shown one-hot) or
// probabilities [N, K]. `label_kind` is "hard", "teacher" or "learned".
SyntheticImages display_images(const at::Tensor& images, const at::Tensor& classes, const at::Tensor& targets,
                               const InputTransform& transform, const std::vector<std::string>& class_names,
                               const QString& label_kind, qint64 iteration);

// The live run's synthetic set as display_images shows it, from copies the run hands out. Each
// copy is taken under the run's lock; between two steps (on the thread that steps) they are all
// of one iteration.
SyntheticImages display_images(const DistillRun& run);

}  // namespace distillery::ui
