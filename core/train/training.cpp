#include "train/training.h"

#include <torch/torch.h>

#include "common/error.h"
#include "train/gsam.h"

namespace distillery {

Tensor classification_loss(const Tensor& logits, const Tensor& targets) {
    if (targets.dim() == 1) return torch::nn::functional::cross_entropy(logits, targets);
    if (targets.dim() == 2 && targets.sizes() == logits.sizes())
        return -(targets * torch::log_softmax(logits, 1)).sum(1).mean();
    throw Error("targets of shape " + std::string(c10::str(targets.sizes())) + " do not fit logits of shape " +
                std::string(c10::str(logits.sizes())));
}

void FlatSgd::step(Tensor& theta, const Tensor& grad) {
    torch::NoGradGuard no_grad;
    Tensor g = weight_decay_ != 0.0 ? grad + weight_decay_ * theta : grad;
    if (momentum_ != 0.0) {
        if (!buffer_.defined()) buffer_ = g.clone();
        else buffer_.mul_(momentum_).add_(g);
        g = buffer_;
    }
    theta.sub_(lr_ * g);
}

double train_epoch(const Network& net, Tensor& theta, const Tensor& x, const Tensor& targets, std::int64_t batch,
                   FlatSgd& optimizer, const Dsa& dsa, Rng& rng, const Gsam* gsam, const Tensor& running_stats) {
    const auto n = x.size(0);
    if (n == 0) throw Error("cannot train on an empty set");
    const auto order = torch::tensor(rng.permutation(n), torch::kInt64).to(x.device());
    double total = 0;
    for (std::int64_t start = 0; start < n; start += batch) {
        const auto idx = order.narrow(0, start, std::min(batch, n - start));
        const auto xb = dsa(x.index_select(0, idx), rng);
        const auto yb = targets.index_select(0, idx);
        const auto leaf = theta.detach().requires_grad_(true);
        const auto loss = classification_loss(net.forward(xb, leaf, running_stats, true), yb);
        auto grad = torch::autograd::grad({loss}, {leaf})[0];
        if (gsam != nullptr)
            grad = gsam->gradient(theta.detach(), grad, [&](const Tensor& w) {
                const auto perturbed = w.detach().requires_grad_(true);
                return torch::autograd::grad({classification_loss(net.forward(xb, perturbed, running_stats, true), yb)}, {perturbed})[0];
            });
        optimizer.step(theta, grad);
        total += loss.item<double>() * static_cast<double>(idx.size(0));
    }
    return total / static_cast<double>(n);
}

double accuracy(const Network& net, const Tensor& theta, const Tensor& x, const Tensor& labels, std::int64_t batch,
                const Tensor& running_stats) {
    if (x.size(0) == 0) return 0.0;
    const auto correct = net.predict(x, theta, batch, running_stats).argmax(1).eq(labels).sum().item<std::int64_t>();
    return static_cast<double>(correct) / static_cast<double>(x.size(0));
}

}  // namespace distillery
