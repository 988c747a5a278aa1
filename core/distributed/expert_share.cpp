#include "distributed/expert_share.h"

#include <torch/torch.h>

#include "common/error.h"
#include "distributed/process_group.h"
#include "expert/expert_trainer.h"

namespace distillery {

std::vector<std::int64_t> experts_for_rank(const PreparedData& data, const ExpertConfig& cfg, const std::string& dir,
                                           ProcessGroup& group) {
    // Rank 0's list, with its length first; a rank-0 refusal (experts of other settings) is
    // voted on, so the others end naming it instead of waiting.
    std::vector<std::int64_t> missing;
    std::string problem;
    if (group.rank() == 0) {
        try {
            missing = missing_experts(data, cfg, dir);
        } catch (const Error& e) {
            problem = e.what();
        }
    }
    if (group.count(!problem.empty(), "the expert list") > 0) {
        if (!problem.empty()) throw Error(problem);
        throw Error(group.environment().describe() + ": rank 0 refused the experts folder " + dir +
                    " (its output says why)");
    }
    auto count = torch::full({1}, static_cast<std::int64_t>(missing.size()), torch::kInt64);
    group.broadcast(count, 0, "the expert list");
    auto list = torch::zeros({count.item<std::int64_t>()}, torch::kInt64);
    if (group.rank() == 0)
        for (std::size_t i = 0; i < missing.size(); ++i) list[static_cast<std::int64_t>(i)] = missing[i];
    if (list.numel() > 0) group.broadcast(list, 0, "the expert list");
    std::vector<std::int64_t> mine;
    for (std::int64_t i = group.rank(); i < list.numel(); i += group.world_size()) mine.push_back(list[i].item<std::int64_t>());
    return mine;
}

}  // namespace distillery
