#pragma once
#include <functional>

#include "distill/step_exchange.h"

namespace distillery {

class ProcessGroup;

// A distributed run's step exchange over c10d: the gradient buffer goes through the process
// group's all-reduce, with one more element, the ranks' votes to stop, so that Ctrl-C on any
// rank ends every rank after the same iteration without a collective of its own.
class GradientExchange : public StepExchange {
public:
    // `wants_stop` is asked at every step: this rank's vote (e.g. its Ctrl-C flag).
    GradientExchange(ProcessGroup& group, std::function<bool()> wants_stop);
    int rank() const override;
    int world_size() const override;
    void all_reduce_sum(at::Tensor& buffer) override;
    // Whether a rank voted to stop in the last all-reduce (the same on every rank).
    bool stop_agreed() const { return stop_agreed_; }

private:
    ProcessGroup& group_;
    std::function<bool()> wants_stop_;
    bool stop_agreed_ = false;
};

}  // namespace distillery
