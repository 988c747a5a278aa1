#include "distill/expert_sampler.h"

#include <algorithm>
#include <utility>

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

void ExpertSampler::restore(std::vector<std::int64_t> order, std::size_t position) {
    if (!order.empty() && static_cast<std::int64_t>(order.size()) != count())
        throw Error("the saved expert order has " + std::to_string(order.size()) + " entries, but there are " +
                    std::to_string(count()) + " experts");
    std::vector<bool> seen(order.size(), false);
    for (const auto i : order) {
        if (i < 0 || i >= count() || seen[static_cast<size_t>(i)])
            throw Error("the saved expert order is not a permutation of the experts");
        seen[static_cast<size_t>(i)] = true;
    }
    if (position > order.size())
        throw Error("the saved expert position " + std::to_string(position) + " lies past the order's end");
    order_ = std::move(order);
    position_ = position;
}

}  // namespace distillery
