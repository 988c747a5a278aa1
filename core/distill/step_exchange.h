#pragma once
#include <ATen/core/Tensor.h>

namespace distillery {

// How the ranks of a distributed distillation share each step (DistillRun::set_exchange; the
// c10d implementation is core/distributed/gradient_exchange.*). A run without one, or with a
// world of one, is a single process and steps exactly as it always did.
class StepExchange {
public:
    virtual ~StepExchange() = default;
    virtual int rank() const = 0;
    virtual int world_size() const = 0;
    // Sums `buffer` (float64, 1-D, the same length on every rank) over the ranks, in place. step()
    // calls it once per iteration, on the run's thread; it throws an Error when the other ranks
    // are gone, and the step is then rolled back.
    virtual void all_reduce_sum(at::Tensor& buffer) = 0;
};

}  // namespace distillery
