#pragma once
#include <ATen/core/Tensor.h>

namespace distillery {

// Instance norm with affine parameters (GroupNorm with one group per channel, eps 1e-5): the
// ConvNet's normalisation and that of the instance-norm variants of the other networks.
//
// It gives group_norm's values and its first and second derivatives, only cheaper. The matching
// modes differentiate the student's gradient once more (unrolled through the whole graph, tesla
// and exact in each adjoint visit), and group_norm's second derivative is a long chain of
// elementwise operations. Here the forward pass and the first derivative are GroupNorm's fused
// kernels, and the second derivative is written out per instance (instance_norm.cpp): five
// per-instance means and five multiply-adds over the activations. A graph for a third derivative
// is refused: it would treat the statistics as constants, and no mode takes one.
//
// x: [B, C, H, W]; weight, bias: [C].
at::Tensor instance_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace distillery
