#include "train/gsam.h"

#include <torch/torch.h>

namespace distillery {

at::Tensor Gsam::gradient(const at::Tensor& w, const at::Tensor& g,
                          const std::function<at::Tensor(const at::Tensor&)>& gradient_at) const {
    constexpr double kEps = 1e-12;  // the released code's guard against a zero norm
    at::Tensor perturbed;
    {
        torch::NoGradGuard no_grad;
        const auto scale = rho / ((adaptive ? w.abs() * g : g).norm().item<double>() + kEps);
        perturbed = w + (adaptive ? scale * g * w * w : scale * g);
    }
    const at::Tensor g_perturbed = gradient_at(perturbed);  // builds its own graph
    torch::NoGradGuard no_grad;
    const double norm_g = g.norm().item<double>(), norm_p = g_perturbed.norm().item<double>();
    const double cosine = (g * g_perturbed).sum().item<double>() / (norm_p * norm_g + kEps);
    const auto orthogonal = g - cosine * norm_g * g_perturbed / (norm_p + kEps);
    return g_perturbed - alpha * orthogonal;
}

}  // namespace distillery
