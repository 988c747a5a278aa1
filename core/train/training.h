#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <utility>

#include "augment/dsa.h"
#include "common/rng.h"
#include "nn/network.h"

namespace distillery {

// Cross-entropy for hard labels (int64 [B]) or probability targets (float [B, K]).
Tensor classification_loss(const Tensor& logits, const Tensor& targets);

// SGD on a flat parameter vector, with PyTorch's semantics: g += wd*theta; buf = m*buf + g
// (buf = g on the first step); theta -= lr*buf.
class FlatSgd {
public:
    FlatSgd(double lr, double momentum = 0.0, double weight_decay = 0.0)
        : lr_(lr), momentum_(momentum), weight_decay_(weight_decay) {}
    void step(Tensor& theta, const Tensor& grad);
    void set_lr(double lr) { lr_ = lr; }
    void set_momentum(double momentum) { momentum_ = momentum; }
    double lr() const { return lr_; }
    double momentum() const { return momentum_; }
    double weight_decay() const { return weight_decay_; }
    // The momentum buffer (undefined before the first step with momentum). It is the optimiser's
    // whole state besides its settings, so checkpoints save it and restore it with set_buffer().
    // step() updates it in place: a copy that must stay independent needs buffer().clone().
    const Tensor& buffer() const { return buffer_; }
    void set_buffer(Tensor buffer) { buffer_ = std::move(buffer); }

private:
    double lr_, momentum_, weight_decay_;
    Tensor buffer_;
};

struct Gsam;

// One pass over (x, targets) in a fresh random order, batches of `batch`, DSA on every batch, the
// network in training mode (batch norm's running statistics, if it has them, updated in place).
// With `gsam`, each step follows GSAM's gradient, both of its gradients taken on the same
// augmented batch. Returns the mean training loss of the pass (at the un-perturbed weights).
double train_epoch(const Network& net, Tensor& theta, const Tensor& x, const Tensor& targets, std::int64_t batch,
                   FlatSgd& optimizer, const Dsa& dsa, Rng& rng, const Gsam* gsam = nullptr,
                   const Tensor& running_stats = Tensor());

// Fraction of `x` that the network, in evaluation mode, classifies as `labels`, in batches; no
// augmentation.
double accuracy(const Network& net, const Tensor& theta, const Tensor& x, const Tensor& labels,
                std::int64_t batch = 512, const Tensor& running_stats = Tensor());

}  // namespace distillery
