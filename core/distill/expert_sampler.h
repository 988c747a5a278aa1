#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/rng.h"
#include "expert/trajectory.h"
#include "nn/convnet.h"

namespace distillery {

// The experts a run matches against, served in MTT's order (spec 5.2): a shuffled list consumed
// one expert per iteration and reshuffled when used up. Only the two checkpoints an iteration
// needs are read from disk.
class ExpertSampler {
public:
    // Opens every expert in `dir`; throws if there are none or they do not fit `net`.
    ExpertSampler(const std::string& dir, const ConvNet& net);

    std::int64_t count() const { return static_cast<std::int64_t>(experts_.size()); }
    std::int64_t checkpoints() const;  // the smallest number of checkpoints among the experts
    const TrajectoryFile& expert(std::int64_t i) const { return experts_.at(static_cast<size_t>(i)); }
    // The index of the next expert.
    std::int64_t next(Rng& rng);

    // Order state, for checkpoints of a run.
    const std::vector<std::int64_t>& order() const { return order_; }
    std::size_t position() const { return position_; }
    // Continues from a saved order() and position(). Throws an Error, changing nothing, unless
    // `order` is empty (no expert drawn yet) or a permutation of 0..count()-1, and position lies
    // in [0, order.size()].
    void restore(std::vector<std::int64_t> order, std::size_t position);

private:
    std::vector<TrajectoryFile> experts_;
    std::vector<std::int64_t> order_;
    std::size_t position_ = 0;
};

}  // namespace distillery
