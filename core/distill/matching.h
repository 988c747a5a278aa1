#pragma once
#include <ATen/core/Tensor.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "augment/dsa.h"
#include "common/rng.h"
#include "nn/convnet.h"

namespace distillery {

using Tensor = at::Tensor;

// What the student is trained on in every step: fixed targets (class indices [N] or
// probabilities [N, K]) or learnable logits [N, K] whose softmax is the target.
struct StudentLabels {
    Tensor targets;  // hard or soft, no gradient
    Tensor logits;   // learned (DATM); when defined, `targets` is ignored
    bool learned() const { return logits.defined(); }
};

// One student step: which synthetic images it uses and the DSA draw applied to them. The whole
// plan is drawn before any gradient is computed, so every gradient mode sees the same steps.
struct StudentStep {
    Tensor indices;  // int64 [B], on the images' device
    bool augmented = false;
    DsaDraw draw;
};

// MTT's batch order (spec 5.3): a random permutation split into chunks of batch_syn, chunks
// taken from the end, refilled when used up; one DSA draw per step.
std::vector<StudentStep> plan_student_steps(std::int64_t num_images, std::int64_t steps, std::int64_t batch_syn,
                                            const Dsa& dsa, std::int64_t height, std::int64_t width, Rng& rng,
                                            const c10::Device& device);

// One trajectory-matching problem: start the student at `start`, train it N steps on the
// synthetic images with step size `lr`, and compare with `target`.
struct MatchProblem {
    const ConvNet* net = nullptr;
    const Dsa* dsa = nullptr;
    Tensor images;  // [N, C, H, W]
    StudentLabels labels;
    double lr = 0.01;
    Tensor start;   // theta*_t, [P]
    Tensor target;  // theta*_{t+M}, [P]
    std::vector<StudentStep> steps;
};

// The loss ||theta_N - target||^2 / ||start - target||^2 and its gradients.
struct MatchGradients {
    double loss = 0;
    Tensor images;  // dL/dX, shaped like the images
    double lr = 0;  // dL/dalpha
    Tensor logits;  // dL/dY for learned labels, else undefined
};

// MTT: back-propagation through the whole unrolled student (create_graph in every step).
// Memory: all N steps' activation graphs at once.
MatchGradients match_unrolled(const MatchProblem& p);

// The adjoint method (spec 12), one step's graph alive at a time. With exact = true the adjoint
// is carried back through every step and the result equals match_unrolled; with exact = false it
// is frozen at its final value, which is TESLA's released gradient (spec 7).
MatchGradients match_adjoint(const MatchProblem& p, bool exact);

// How many student parameter vectors the exact mode keeps alive at once: 16 vectors are 20 MB
// for the paper's width-128 ConvNet, a few per cent of one step's activations.
constexpr std::size_t kAdjointVectorBudget = 16;

// The exact mode's segments for `steps` student steps (spec 12): the steps whose parameters the
// forward pass keeps. A segment's other vectors are recomputed when it is visited, so the steps
// recomputed are `steps` minus the number of segments; at most `budget` vectors are alive at
// once while budget (budget + 1) / 2 >= steps, beyond that about sqrt(2 steps).
std::vector<std::size_t> adjoint_segment_starts(std::size_t steps, std::size_t budget);

}  // namespace distillery
