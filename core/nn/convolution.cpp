#include "nn/convolution.h"

#include <torch/torch.h>

namespace distillery {

using Tensor = at::Tensor;

namespace {

// oneDNN's largest channel block (AVX-512); a multiple of it is a multiple of the AVX2 block too.
constexpr std::int64_t kChannelBlock = 16;

}  // namespace

Tensor convolution_padded_channels(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t stride,
                                   std::int64_t padding, bool pad_input) {
    const auto up = [](std::int64_t c) { return (c + kChannelBlock - 1) / kChannelBlock * kChannelBlock; };
    const auto in = weight.size(1), out = weight.size(0);
    const auto extra_in = pad_input ? up(in) - in : 0, extra_out = up(out) - out;
    // constant_pad_nd pads from the last dimension backwards: (W, H, then channels) for x, and
    // (kernel W, kernel H, input channels, output channels) for the weight.
    const auto x_padded = extra_in > 0 ? torch::constant_pad_nd(x, {0, 0, 0, 0, 0, extra_in}) : x;
    const auto w_padded = torch::constant_pad_nd(weight, {0, 0, 0, 0, 0, extra_in, 0, extra_out});
    const auto b_padded = bias.defined() ? torch::constant_pad_nd(bias, {0, extra_out}) : bias;
    const auto y = torch::conv2d(x_padded, w_padded, b_padded, stride, padding);
    return extra_out > 0 ? y.narrow(1, 0, out) : y;
}

Tensor convolution(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t stride,
                   std::int64_t padding) {
    const auto in = weight.size(1), out = weight.size(0);
    const bool pad_output = out % kChannelBlock != 0;
    const bool pad_input = in > kChannelBlock && in % kChannelBlock != 0;
    if (!x.is_cpu() || x.scalar_type() != torch::kFloat32 || (!pad_output && !pad_input))
        return torch::conv2d(x, weight, bias, stride, padding);
    return convolution_padded_channels(x, weight, bias, stride, padding, pad_input);
}

}  // namespace distillery
