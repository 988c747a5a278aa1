#pragma once
// A synthetic set in model space turned into what the views show (SyntheticImages): the live run's
// images (RunWorker) and a saved run's synthetic.dsyn (RunLoader) go through the same mapping.
// For .cpp files that already use LibTorch; the views never include this.
#include <ATen/core/Tensor.h>

#include <QString>

#include <string>
#include <vector>

#include "data/transform.h"
#include "widgets/run_snapshot.h"

namespace distillery::ui {

// `images` [N, C, H, W] in model space, mapped back to pixels by `transform` (normalisation or ZCA
// inverted) and clamped to [0, 1]; `classes` int64 [N], the class each image was made for;
// `targets` the labels the images are trained with: class indices [N] (shown one-hot) or
// probabilities [N, K]. `label_kind` is "hard", "teacher" or "learned".
SyntheticImages display_images(const at::Tensor& images, const at::Tensor& classes, const at::Tensor& targets,
                               const InputTransform& transform, const std::vector<std::string>& class_names,
                               const QString& label_kind, qint64 iteration);

}  // namespace distillery::ui
