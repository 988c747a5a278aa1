#include "nn/instance_norm.h"

#include <torch/torch.h>

#include "common/error.h"

namespace distillery {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

constexpr double kEps = 1e-5;

// The first derivative of instance norm as a function of the output's gradient, the input and
// the weight, so that autograd can differentiate it again with backward() below.
//
// Per instance (one image, one channel) of M = H*W values, with r = 1/sqrt(var + eps),
// x^ = (x - mean) r and P(u) = u - mean(u) - x^ mean(u x^) (symmetric in u), the first derivative is
//   dx = gamma r P(g),  dgamma = sum g x^,  dbeta = sum g.
// Its derivative along (vx, vgamma, vbeta), with d x^ = r P(dx) and d r = -r^2 mean(x^ dx):
//   d/dg     = gamma r P(vx) + vgamma x^ + vbeta
//   d/dgamma = sum over images of r M q,       q = mean(vx g) - mean(vx) mean(g) - a b
//   d/dx     = r [(vgamma - gamma r b) P(g) - gamma r a P(vx) - gamma r q x^]
// where a = mean(g x^) and b = mean(vx x^).
struct InstanceNormBackward : torch::autograd::Function<InstanceNormBackward> {
    static variable_list forward(AutogradContext* ctx, const torch::Tensor& grad_out, const torch::Tensor& x,
                                 const torch::Tensor& weight, const torch::Tensor& mean, const torch::Tensor& rstd) {
        const auto n = x.size(0), c = x.size(1);
        auto grads = at::native_group_norm_backward(grad_out.contiguous(), x, mean, rstd, weight, n, c,
                                                    x.size(2) * x.size(3), c, {true, true, true});
        ctx->save_for_backward({grad_out, x, weight, mean, rstd});
        return {std::get<0>(grads), std::get<1>(grads), std::get<2>(grads)};
    }

    static variable_list backward(AutogradContext* ctx, variable_list v) {
        if (torch::GradMode::is_enabled())
            throw Error("instance norm: its second derivative cannot be differentiated again (a third derivative)");
        const auto saved = ctx->get_saved_variables();
        const auto &g = saved[0], &x = saved[1], &weight = saved[2];
        const auto n = x.size(0), c = x.size(1), m = x.size(2) * x.size(3);
        const auto& vx = v[0];
        const auto vgamma = v[1].view({1, c, 1, 1});
        const auto vbeta = v[2].view({1, c, 1, 1});
        const auto r = saved[4].view({n, c, 1, 1});
        const auto gamma = weight.view({1, c, 1, 1});
        const auto xhat = torch::addcmul(-saved[3].view({n, c, 1, 1}) * r, x, r);
        const auto mean_of_product = [](const torch::Tensor& u, const torch::Tensor& w) {
            return (u * w).mean({2, 3}, true);
        };
        const auto g_mean = g.mean({2, 3}, true);
        const auto vx_mean = vx.mean({2, 3}, true);
        const auto a = mean_of_product(g, xhat);
        const auto b = mean_of_product(vx, xhat);
        const auto q = mean_of_product(vx, g) - vx_mean * g_mean - a * b;
        const auto gamma_r = gamma * r;
        // d/dx = c1 P(g) + c2 P(vx) - r gamma r q x^, with P written out: P(g) and P(vx) are never formed
        const auto c1 = r * (vgamma - gamma_r * b);
        const auto c2 = -r * gamma_r * a;
        const auto c3 = -r * gamma_r * q - c1 * a - c2 * b;
        auto dx = torch::addcmul(-(c1 * g_mean + c2 * vx_mean), g, c1);
        dx.addcmul_(vx, c2).addcmul_(xhat, c3);
        auto dg = torch::addcmul(vbeta - gamma_r * vx_mean, vx, gamma_r);
        dg.addcmul_(xhat, vgamma - gamma_r * b);
        auto dgamma = (r * q).sum({0, 2, 3}) * static_cast<double>(m);
        return {dg, dx, dgamma, torch::Tensor(), torch::Tensor()};
    }
};

struct InstanceNormFunction : torch::autograd::Function<InstanceNormFunction> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight,
                                 const torch::Tensor& bias) {
        const auto n = x.size(0), c = x.size(1);
        auto out = at::native_group_norm(x, weight, bias, n, c, x.size(2) * x.size(3), c, kEps);
        ctx->save_for_backward({x, weight, std::get<1>(out), std::get<2>(out)});
        return std::get<0>(out);
    }

    static variable_list backward(AutogradContext* ctx, variable_list grad_out) {
        const auto saved = ctx->get_saved_variables();
        return InstanceNormBackward::apply(grad_out[0], saved[0], saved[1], saved[2], saved[3]);
    }
};

}  // namespace

at::Tensor instance_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
    if (x.dim() != 4 || weight.dim() != 1 || bias.dim() != 1 || weight.size(0) != x.size(1) ||
        bias.size(0) != x.size(1))
        throw Error("instance norm: input " + std::string(c10::str(x.sizes())) + " with " +
                    std::to_string(weight.numel()) + " weights and " + std::to_string(bias.numel()) + " biases");
    return InstanceNormFunction::apply(x.contiguous(), weight, bias);
}

}  // namespace distillery
