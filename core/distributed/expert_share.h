#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace distillery {

class ProcessGroup;
struct PreparedData;
struct ExpertConfig;

// This rank's share of an expert generation that several processes make together into one
// folder: rank 0 lists the experts the folder lacks (missing_experts) and sends the list to every
// rank, which takes every world_size-th of them from its own rank on. One list, made once, so
// every missing expert has exactly one writer even while the folder fills; files already there
// (from an interrupted generation) are kept.
std::vector<std::int64_t> experts_for_rank(const PreparedData& data, const ExpertConfig& cfg, const std::string& dir,
                                           ProcessGroup& group);

}  // namespace distillery
