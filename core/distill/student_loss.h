#pragma once
#include "distill/matching.h"

namespace distillery {

// The student's training loss in one step. `batch_images` are the step's synthetic images (rows
// `step.indices`, not yet augmented: the step's recorded draw is applied here). With learned
// labels `batch_logits` are those rows' logits and the target is their softmax (DATM's SoftCE);
// otherwise the targets are the fixed ones of p.labels. Each gradient mode passes its own leaves.
Tensor student_step_loss(const MatchProblem& p, const StudentStep& step, const Tensor& batch_images,
                         const Tensor& batch_logits, const Tensor& theta);

}  // namespace distillery
