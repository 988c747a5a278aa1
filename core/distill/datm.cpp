#include "distill/datm.h"

#include <torch/torch.h>

#include <algorithm>

#include "common/error.h"

namespace distillery {
namespace {

at::Tensor final_checkpoint(const ExpertSampler& experts, std::int64_t i, const at::Tensor& like) {
    const auto& e = experts.expert(i);
    return e.checkpoint(e.checkpoints() - 1).to(like.device(), like.scalar_type());
}

}  // namespace

std::int64_t start_epoch_upper_bound(const DistillConfig& c, std::int64_t iteration) {
    if (!c.sequential_generation) return c.max_start_epoch;
    const auto grown = c.current_max_start_epoch +
                       static_cast<std::int64_t>(static_cast<double>(c.max_start_epoch - c.current_max_start_epoch) *
                                                 static_cast<double>(iteration) / static_cast<double>(c.expansion_end_epoch));
    return std::min(grown, c.max_start_epoch);
}

std::int64_t sample_start_epoch(const DistillConfig& c, std::int64_t iteration, Rng& rng) {
    const auto upper = std::max(start_epoch_upper_bound(c, iteration), c.min_start_epoch + 1);
    return rng.integer(c.min_start_epoch, upper - 1);
}

at::Tensor correctly_classified_indices(const PreparedData& data, const ConvNet& net, const ExpertSampler& experts,
                                        std::int64_t ipc, Rng& rng) {
    const auto labels = data.train_y.to(torch::kCPU);
    std::vector<at::Tensor> picks;
    for (std::int64_t c = 0; c < data.num_classes(); ++c) {
        const auto of_class = labels.eq(c).nonzero().flatten();
        std::vector<std::int64_t> chosen;
        for (std::int64_t e = 0; e < experts.count() && static_cast<std::int64_t>(chosen.size()) < ipc; ++e) {
            const auto theta = final_checkpoint(experts, e, data.train_x);
            const auto perm = rng.permutation(of_class.numel());
            for (std::int64_t s = 0; s < of_class.numel() && static_cast<std::int64_t>(chosen.size()) < ipc; s += 256) {
                const auto len = std::min<std::int64_t>(256, of_class.numel() - s);
                const auto idx = of_class.index_select(
                    0, torch::tensor(std::vector<std::int64_t>(perm.begin() + s, perm.begin() + s + len), torch::kInt64));
                const auto pred =
                    net.predict(data.train_x.index_select(0, idx.to(data.train_x.device())), theta)
                        .argmax(1)
                        .to(torch::kCPU);
                for (std::int64_t k = 0; k < len && static_cast<std::int64_t>(chosen.size()) < ipc; ++k) {
                    const auto i = idx[k].item<std::int64_t>();
                    if (pred[k].item<std::int64_t>() == c &&
                        std::find(chosen.begin(), chosen.end(), i) == chosen.end())
                        chosen.push_back(i);
                }
            }
        }
        if (static_cast<std::int64_t>(chosen.size()) < ipc)
            throw Error("only " + std::to_string(chosen.size()) + " images of class '" + data.classes[c] +
                        "' are classified correctly by the experts; ipc is " + std::to_string(ipc) +
                        " (use pix_init = real)");
        picks.push_back(torch::tensor(chosen, torch::kInt64));
    }
    return torch::cat(picks);
}

at::Tensor expert_label_logits(const at::Tensor& images, const at::Tensor& labels, const ConvNet& net,
                               const ExpertSampler& experts) {
    at::Tensor sum, count, first;
    for (std::int64_t e = 0; e < experts.count(); ++e) {
        const auto z = net.predict(images, final_checkpoint(experts, e, images));
        const auto correct = z.argmax(1).eq(labels).to(z.scalar_type()).unsqueeze(1);
        if (e == 0) {
            first = z;
            sum = z * correct;
            count = correct.clone();
        } else {
            sum += z * correct;
            count += correct;
        }
    }
    return torch::where(count > 0, sum / count.clamp_min(1), first);
}

}  // namespace distillery
