// The constant-memory gradients: our exact adjoint method and TESLA's first-order version
// (spec 7 and 12). Both unroll the student without a graph, keeping only the N parameter
// vectors, then walk back one step at a time, recomputing that step's graph with the same batch
// and the same DSA draw. They differ in one line: the exact mode carries the adjoint lambda back
// through each step, lambda <- (I - alpha H_i) lambda; TESLA keeps its final value.
#include <torch/torch.h>

#include "distill/matching.h"
#include "distill/student_loss.h"

namespace distillery {

MatchGradients match_adjoint(const MatchProblem& p, bool exact) {
    const auto images = p.images.detach();
    const auto logits = p.labels.learned() ? p.labels.logits.detach() : Tensor();
    auto rows = [](const Tensor& t, const StudentStep& s) { return t.defined() ? t.index_select(0, s.indices) : t; };

    // Forward: theta_{i+1} = theta_i - alpha g_i with first-order gradients only.
    std::vector<Tensor> thetas;
    thetas.reserve(p.steps.size());
    Tensor theta = p.start.detach();
    for (const auto& step : p.steps) {
        thetas.push_back(theta);
        const auto leaf = theta.detach().requires_grad_(true);
        const auto loss = student_step_loss(p, step, rows(images, step), rows(logits, step), leaf);
        const auto g = torch::autograd::grad({loss}, {leaf})[0];
        theta = theta - p.lr * g;
    }
    const auto distance = (p.start - p.target).pow(2).sum();
    const auto loss = (theta - p.target).pow(2).sum() / distance;

    // Backward: lambda = dL/dtheta_{i+1}; step i adds -<lambda, g_i> to dL/dalpha and the
    // vector-Jacobian products of g_i with the cotangent -alpha lambda to the inputs.
    Tensor lambda = 2.0 * (theta - p.target) / distance;
    auto d_images = torch::zeros_like(images);
    auto d_logits = logits.defined() ? torch::zeros_like(logits) : Tensor();
    auto d_lr = torch::zeros({}, theta.options());
    for (auto i = static_cast<std::int64_t>(p.steps.size()) - 1; i >= 0; --i) {
        const auto& step = p.steps[i];
        const auto leaf = thetas[i].detach().requires_grad_(true);
        const auto batch_images = rows(images, step).requires_grad_(true);
        const auto batch_logits = logits.defined() ? rows(logits, step).requires_grad_(true) : Tensor();
        const auto step_loss = student_step_loss(p, step, batch_images, batch_logits, leaf);
        const auto g = torch::autograd::grad({step_loss}, {leaf}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
        d_lr -= (lambda * g.detach()).sum();
        std::vector<Tensor> inputs{batch_images};
        if (batch_logits.defined()) inputs.push_back(batch_logits);
        if (exact) inputs.push_back(leaf);
        const auto v = torch::autograd::grad({g}, inputs, {-p.lr * lambda});
        d_images.index_add_(0, step.indices, v[0]);
        if (batch_logits.defined()) d_logits.index_add_(0, step.indices, v[1]);
        if (exact) lambda = lambda + v.back();  // the one line TESLA leaves out
    }
    MatchGradients out;
    out.loss = loss.item<double>();
    out.images = d_images;
    out.lr = d_lr.item<double>();
    out.logits = d_logits;
    return out;
}

}  // namespace distillery
