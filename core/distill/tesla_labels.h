#pragma once
#include <ATen/core/Tensor.h>

#include "nn/convnet.h"

namespace distillery {

// TESLA's soft label assignment (Cui et al.; spec 7.3): the softmax of the expert's logits at the
// target epoch on the current synthetic images, recomputed every iteration, constant within it.
// Unlike the released code, this works for every data set, not only ImageNet.
at::Tensor teacher_soft_labels(const ConvNet& net, const at::Tensor& images, const at::Tensor& target_theta);

}  // namespace distillery
