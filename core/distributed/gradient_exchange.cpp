#include "distributed/gradient_exchange.h"

#include <torch/torch.h>

#include "distributed/process_group.h"

namespace distillery {

GradientExchange::GradientExchange(ProcessGroup& group, std::function<bool()> wants_stop)
    : group_(group), wants_stop_(std::move(wants_stop)) {}

int GradientExchange::rank() const { return group_.rank(); }
int GradientExchange::world_size() const { return group_.world_size(); }

void GradientExchange::all_reduce_sum(at::Tensor& buffer) {
    const double vote = wants_stop_ && wants_stop_() ? 1.0 : 0.0;
    auto with_vote = torch::cat({buffer, torch::full({1}, vote, buffer.options())});
    group_.all_reduce_sum(with_vote, "a distillation step's gradient all-reduce");
    const auto n = buffer.numel();
    buffer.copy_(with_vote.slice(0, 0, n));
    stop_agreed_ = with_vote[n].item<double>() > 0.5;
}

}  // namespace distillery
