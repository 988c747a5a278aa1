#include "distill/expert_sampler.h"

#include <algorithm>

#include "common/error.h"

namespace distillery {

ExpertSampler::ExpertSampler(const std::string& dir, const ConvNet& net) {
    const ExpertStore store(dir);
    for (auto i : store.complete()) {
        experts_.push_back(store.open(i));
        const auto& t = experts_.back();
        if (t.params() != net.num_params())
            throw Error(t.path() + ": the expert has " + std::to_string(t.params()) + " parameters; " +
                        net.spec().describe() + " has " + std::to_string(net.num_params()));
    }
    if (experts_.empty()) throw Error(dir + ": no expert trajectories here (train some with `distillery-cli experts`)");
}

std::int64_t ExpertSampler::checkpoints() const {
    std::int64_t fewest = experts_.front().checkpoints();
    for (const auto& e : experts_) fewest = std::min(fewest, e.checkpoints());
    return fewest;
}

std::int64_t ExpertSampler::next(Rng& rng) {
    if (position_ >= order_.size()) {
        order_ = rng.permutation(count());
        position_ = 0;
    }
    return order_[position_++];
}

}  // namespace distillery
