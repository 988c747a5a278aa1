#pragma once
#include <ATen/core/Tensor.h>

#include <functional>

namespace distillery {

// GSAM (Zhuang et al., 2022), as DATM trains its experts (through FTD; spec 3.3): the gradient
// is taken again at weights pushed uphill along the first gradient, and the step follows that
// second gradient minus alpha times the first one's component orthogonal to it. Flatter expert
// trajectories leave the student's accumulated error smaller. On flat parameter vectors:
//   s  = rho / (‖|w| ⊙ g‖ + 1e-12)   (adaptive; ‖g‖ otherwise)
//   e  = s · g ⊙ w²                  (adaptive; s · g otherwise)
//   g' = ∇L(w + e)
//   v  = g − cos(g, g')·‖g‖ · g' / (‖g'‖ + 1e-12),  cos = ⟨g, g'⟩ / (‖g'‖‖g‖ + 1e-12)
//   ĝ  = g' − alpha · v
// rho is constant, as in DATM's released recipe (its scheduler's min and max are the same).
struct Gsam {
    double rho = 0.01;
    double alpha = 0.3;
    bool adaptive = true;

    // ĝ for weights `w` with gradient `g`; `gradient_at(w')` is the gradient of the same loss
    // (the same augmented batch) at w'. Computed in the dtype of `w`.
    at::Tensor gradient(const at::Tensor& w, const at::Tensor& g,
                        const std::function<at::Tensor(const at::Tensor&)>& gradient_at) const;
};

}  // namespace distillery
