// MTT's gradient (Cazenavette et al., spec 5.3): unroll N student steps keeping every step's
// graph (create_graph), then back-propagate the matching loss through all of them.
#include <torch/torch.h>

#include "distill/matching.h"
#include "distill/student_loss.h"

namespace distillery {

MatchGradients match_unrolled(const MatchProblem& p) {
    const auto images = p.images.detach().requires_grad_(true);
    const auto logits = p.labels.learned() ? p.labels.logits.detach().requires_grad_(true) : Tensor();
    // alpha is a tensor inside the graph, so theta_{k+1} = theta_k - alpha g_k carries dL/dalpha.
    const auto alpha = torch::full({}, p.lr, p.start.options()).requires_grad_(true);
    Tensor theta = p.start.detach().requires_grad_(true);
    for (const auto& step : p.steps) {
        const auto batch_logits = logits.defined() ? logits.index_select(0, step.indices) : Tensor();
        const auto loss = student_step_loss(p, step, images.index_select(0, step.indices), batch_logits, theta);
        const auto g = torch::autograd::grad({loss}, {theta}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
        theta = theta - alpha * g;
    }
    const auto distance = (p.start - p.target).pow(2).sum();
    const auto loss = (theta - p.target).pow(2).sum() / distance;
    std::vector<Tensor> inputs{images, alpha};
    if (logits.defined()) inputs.push_back(logits);
    const auto grads = torch::autograd::grad({loss}, inputs);
    MatchGradients out;
    out.loss = loss.item<double>();
    out.images = grads[0];
    out.lr = grads[1].item<double>();
    if (logits.defined()) out.logits = grads[2];
    return out;
}

}  // namespace distillery
