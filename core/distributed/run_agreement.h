#pragma once
#include <string>

namespace distillery {

class DistillRun;
class ProcessGroup;

// Checks that every rank holds rank 0's run, bit for bit: the same iteration, settings, random
// stream, expert order, synthetic images, label logits and learned lr. A distributed run checks
// it when it starts (the ranks must have been given the same command: the same settings, or the
// same checkpoint to resume) and before rank 0 writes its outputs (the ranks applied the same
// updates). Returns "" when they agree, else a message naming what differs, given on every rank
// (`when` says at which point, e.g. "at the start").
std::string check_ranks_agree(const DistillRun& run, const std::string& settings_text, ProcessGroup& group,
                              const std::string& when);

}  // namespace distillery
