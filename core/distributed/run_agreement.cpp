#include "distributed/run_agreement.h"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "distill/run.h"
#include "distributed/process_group.h"

namespace distillery {
namespace {

// FNV-1a: a fingerprint of a text, to compare texts across ranks with one small broadcast.
std::int64_t fingerprint(const std::string& text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
    return static_cast<std::int64_t>(h);
}

std::string order_text(const DistillRunState& s) {
    std::string text = std::to_string(s.expert_position) + ":";
    for (auto e : s.expert_order) text += std::to_string(e) + ",";
    return text;
}

// What differs, by the header's slot.
const char* kHeaderNames[] = {"iteration", "settings", "random stream", "expert order", "synthetic set's size"};

}  // namespace

std::string check_ranks_agree(const DistillRun& run, const std::string& settings_text, ProcessGroup& group,
                              const std::string& when) {
    const auto s = run.export_state(/*include_history=*/false);
    std::vector<at::Tensor> parts{s.images.reshape(-1).to(torch::kFloat64)};
    if (s.label_logits.defined()) parts.push_back(s.label_logits.reshape(-1).to(torch::kFloat64));
    parts.push_back(torch::full({1}, s.lr, torch::kFloat64));
    const auto state = torch::cat(parts);

    const std::vector<std::int64_t> mine{s.iteration, fingerprint(settings_text), fingerprint(s.rng), fingerprint(order_text(s)),
                                         state.numel()};
    auto header = torch::tensor(mine, torch::kInt64);
    group.broadcast(header, 0, "the ranks' agreement check " + when);
    std::string differs;
    for (std::size_t i = 0; i < mine.size(); ++i)
        if (header[static_cast<std::int64_t>(i)].item<std::int64_t>() != mine[i])
            differs += std::string(differs.empty() ? "" : " and ") + kHeaderNames[i];
    // The state's sizes differ where the header does: only ranks that agree so far compare it.
    const int header_mismatches = group.count(!differs.empty(), "the ranks' agreement check " + when);
    if (header_mismatches == 0) {
        auto theirs = state.clone();
        group.broadcast(theirs, 0, "the ranks' agreement check " + when);
        if (!theirs.equal(state)) differs = "synthetic set: images, label logits or learned lr";
    }
    const int mismatches = group.count(!differs.empty(), "the ranks' agreement check " + when);
    if (mismatches == 0) return "";
    const auto me = group.environment().describe();
    if (!differs.empty())
        return me + " holds another run than rank 0 " + when + " (not the same " + differs +
               "); give every rank the same command (settings, experts, --resume)";
    return me + ": " + std::to_string(mismatches) + " rank(s) hold another run than rank 0 " + when +
           " (their output says what differs); give every rank the same command (settings, experts, --resume)";
}

}  // namespace distillery
