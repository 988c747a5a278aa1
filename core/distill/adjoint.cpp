// The constant-memory gradients: our exact adjoint method and TESLA's first-order version
// (spec 7 and 12). Both unroll the student without a graph, then visit the steps again one at a
// time, recomputing that step's graph with the same batch and the same DSA draw. They differ in
// one line: the exact mode carries the adjoint lambda back through each step,
// lambda <- (I - alpha H_i) lambda; TESLA keeps its final value.
//
// Parameter vectors. The spec's loop keeps all N+1 student parameter vectors, which is N x P
// floats (about 100 MB for 80 steps of the paper's ConvNet) and would make the memory grow with N
// after all. Instead:
// - TESLA's frozen lambda makes the steps independent, so it visits them forwards and rebuilds
//   theta_{i+1} = theta_i - alpha g_i from the gradient it computes anyway: one vector, no extra work.
// - The exact mode must go backwards. The forward pass keeps theta at the start of each segment
//   of adjoint_segment_starts; the backward pass recomputes a segment's other vectors with
//   first-order steps just before visiting it. Every step not at a segment start costs one
//   recomputed step, so the plan uses as many segments as a fixed budget of vectors allows
//   (kAdjointVectorBudget): none is recomputed up to N = 16, N - 16 beyond, and the same bound
//   of 16 vectors holds for every N up to 136.
#include <torch/torch.h>

#include <algorithm>

#include "distill/matching.h"
#include "distill/student_loss.h"

namespace distillery {
namespace {

Tensor rows(const Tensor& t, const StudentStep& s) { return t.defined() ? t.index_select(0, s.indices) : t; }

// theta_{i+1} = theta_i - alpha g_i, with a first-order gradient and no graph kept.
Tensor student_step(const MatchProblem& p, std::size_t i, const Tensor& theta, const Tensor& images, const Tensor& logits) {
    const auto& step = p.steps[i];
    const auto leaf = theta.detach().requires_grad_(true);
    const auto loss = student_step_loss(p, step, rows(images, step), rows(logits, step), leaf);
    return theta - p.lr * torch::autograd::grad({loss}, {leaf})[0];
}

}  // namespace

std::vector<std::size_t> adjoint_segment_starts(std::size_t steps, std::size_t budget) {
    // While segment j is visited, the starts of segments 0..j are alive with the segment's
    // len_j - 1 recomputed vectors: j + len_j must stay within the budget. Segments of one step
    // each cost nothing to recompute, so as many as the budget allows; the steps left over
    // lengthen the first segments, which have the most room. The budget grows (as sqrt(2N)) only
    // where b(b+1)/2 < N, when b segments could not cover the steps.
    std::size_t b = std::max<std::size_t>(budget, 1);
    while (b * (b + 1) / 2 < steps) ++b;
    const std::size_t segments = std::min(steps, b);
    std::vector<std::size_t> starts;
    std::size_t left_over = steps - segments, at = 0;
    for (std::size_t j = 0; j < segments; ++j) {
        const std::size_t longer = std::min(left_over, b - j - 1);
        left_over -= longer;
        starts.push_back(at);
        at += 1 + longer;
    }
    return starts;
}

MatchGradients match_adjoint(const MatchProblem& p, bool exact) {
    const auto images = p.images.detach();
    const auto logits = p.labels.learned() ? p.labels.logits.detach() : Tensor();
    const auto n = p.steps.size();
    const auto starts = exact ? adjoint_segment_starts(n, kAdjointVectorBudget) : std::vector<std::size_t>();

    // Forward: the final theta, keeping theta at every segment start (exact mode only).
    std::vector<Tensor> kept;
    Tensor theta = p.start.detach();
    for (std::size_t i = 0; i < n; ++i) {
        if (kept.size() < starts.size() && starts[kept.size()] == i) kept.push_back(theta);
        theta = student_step(p, i, theta, images, logits);
    }
    const auto distance = (p.start - p.target).pow(2).sum();
    const auto loss = (theta - p.target).pow(2).sum() / distance;

    // Step i adds -<lambda, g_i> to dL/dalpha and the vector-Jacobian products of g_i with the
    // cotangent -alpha lambda to the inputs; lambda = dL/dtheta_{i+1}. Returns g_i.
    Tensor lambda = 2.0 * (theta - p.target) / distance;
    auto d_images = torch::zeros_like(images);
    auto d_logits = logits.defined() ? torch::zeros_like(logits) : Tensor();
    auto d_lr = torch::zeros({}, theta.options());
    auto visit = [&](std::size_t i, const Tensor& theta_i) {
        const auto& step = p.steps[i];
        const auto leaf = theta_i.detach().requires_grad_(true);
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
        return g.detach();
    };

    if (exact) {
        for (std::size_t s = starts.size(); s-- > 0;) {
            const std::size_t first = starts[s], end = s + 1 < starts.size() ? starts[s + 1] : n;
            std::vector<Tensor> thetas{kept.back()};
            kept.pop_back();
            for (std::size_t i = first; i + 1 < end; ++i) thetas.push_back(student_step(p, i, thetas.back(), images, logits));
            for (std::size_t i = end; i-- > first;) visit(i, thetas[i - first]);
        }
    } else {
        Tensor theta_i = p.start.detach();
        for (std::size_t i = 0; i < n; ++i) theta_i = theta_i - p.lr * visit(i, theta_i);
    }
    MatchGradients out;
    out.loss = loss.item<double>();
    out.images = d_images;
    out.lr = d_lr.item<double>();
    out.logits = d_logits;
    return out;
}

}  // namespace distillery
