// The student's batch plan, and the per-step loss shared by every gradient mode.
#include <torch/torch.h>

#include "distill/matching.h"
#include "distill/student_loss.h"
#include "train/training.h"

namespace distillery {

std::vector<StudentStep> plan_student_steps(std::int64_t num_images, std::int64_t steps, std::int64_t batch_syn,
                                            const Dsa& dsa, std::int64_t height, std::int64_t width, Rng& rng,
                                            const c10::Device& device) {
    const std::int64_t batch = batch_syn > 0 ? std::min(batch_syn, num_images) : num_images;
    std::vector<StudentStep> plan;
    std::vector<std::vector<std::int64_t>> chunks;
    for (std::int64_t k = 0; k < steps; ++k) {
        if (chunks.empty()) {
            const auto perm = rng.permutation(num_images);
            for (std::int64_t s = 0; s < num_images; s += batch)
                chunks.emplace_back(perm.begin() + s, perm.begin() + std::min(s + batch, num_images));
        }
        StudentStep step;
        step.indices = torch::tensor(chunks.back(), torch::kInt64).to(device);
        chunks.pop_back();
        if (dsa.enabled()) {
            step.augmented = true;
            step.draw = dsa.draw(step.indices.size(0), height, width, rng);
            for (auto* t : {&step.draw.a, &step.draw.b, &step.draw.c})
                if (t->defined()) *t = t->to(device);
        }
        plan.push_back(std::move(step));
    }
    return plan;
}

Tensor student_step_loss(const MatchProblem& p, const StudentStep& step, const Tensor& batch_images,
                         const Tensor& batch_logits, const Tensor& theta) {
    const Tensor x = step.augmented ? p.dsa->apply(batch_images, step.draw) : batch_images;
    const Tensor target = batch_logits.defined() ? torch::softmax(batch_logits, 1)
                                                 : p.labels.targets.index_select(0, step.indices);
    return classification_loss(p.net->forward(x, theta), target);
}

}  // namespace distillery
