#pragma once
#include <cstdint>

#include "common/rng.h"

namespace distillery {

struct MatchGradients;
class StepExchange;

// The mean over the ranks of one iteration's matching gradients, in place: the image gradient,
// the label-logit gradient (learned labels), the lr gradient and the loss go into one float64
// buffer and through one all-reduce, so every rank applies the same update. Float64, so that
// the sum of float32 gradients is exact and the mean is rounded once, back to their type.
// Returns the seconds spent in the all-reduce.
double average_over_ranks(MatchGradients& g, StepExchange& exchange);

// The seed of rank `rank`'s draws in one iteration (its start epoch and student mini-batches),
// from `shared_seed`, which every rank draws alike from the run's shared stream: independent
// streams for the ranks, and the same ones again when a checkpoint is resumed.
std::uint64_t rank_draw_seed(std::uint64_t shared_seed, int rank);

}  // namespace distillery
