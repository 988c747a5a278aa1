#pragma once
// The engine's records turned into the plain records the views are fed (widgets/run_snapshot.h):
// the live run's (RunWorker) and a saved run's (RunLoader) go through the same conversions.
// For .cpp files that already use LibTorch; the views never include this.
#include <ATen/core/Tensor.h>

#include <QString>

#include <string>
#include <vector>

#include "data/transform.h"
#include "widgets/run_snapshot.h"

namespace distillery {
struct StepRecord;
}

namespace distillery::ui {

// One step as the plots need it.
StepPoint step_point(const StepRecord& r);

// `images` [N, C, H, W] in model space, mapped back to pixels by `transform` (normalisation or ZCA
// inverted) and clamped to [0, 1]; `classes` int64 [N], the class each image was made for;
// `targets` the labels the images are trained with: class indices [N] (shown one-hot) or
// probabilities [N, K]. `label_kind` is "hard", "teacher" or "learned".
SyntheticImages display_images(const at::Tensor& images, const at::Tensor& classes, const at::Tensor& targets,
                               const InputTransform& transform, const std::vector<std::string>& class_names,
                               const QString& label_kind, qint64 iteration);

}  // namespace distillery::ui
