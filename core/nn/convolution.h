#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace distillery {

// The 2-d convolution of every network: torch::conv2d(x, weight, bias, stride, padding), with the
// right values on every LibTorch.
//
// Why not torch::conv2d alone: LibTorch 2.6 as Debian 13 builds it (against its oneDNN 3.7)
// computes float32 CPU convolutions wrongly when the output channels are not a multiple of
// oneDNN's channel block (16 with AVX-512), or the input channels are more than 16 and not a
// multiple of it: on an AVX-512 CPU a 3x3 layer of 8 channels got gradients off by half their
// size, and training went to NaN within a few epochs. A check of each layer on a sample is not
// enough: a layer that agreed with float64 on two images went wrong in a run. Layers whose channel
// counts are multiples of 16, and first layers of 1 or 3 channels into such a count, were right
// in every shape and batch size tried. So on the CPU in float32 such layers run with their
// channels zero-padded to a multiple of 16 and the extra outputs dropped, which is exact; every
// other convolution (the presets' widths, float64, a GPU) is torch::conv2d unchanged.
at::Tensor convolution(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, std::int64_t stride,
                       std::int64_t padding);

// The same convolution with the output channels, and the input channels when `pad_input`, padded
// with zeros to a multiple of 16 and the extra outputs dropped: equal to it in exact arithmetic,
// to every order of derivative.
at::Tensor convolution_padded_channels(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                                       std::int64_t stride, std::int64_t padding, bool pad_input);

}  // namespace distillery
