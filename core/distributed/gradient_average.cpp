#include "distributed/gradient_average.h"

#include <torch/torch.h>

#include <chrono>
#include <vector>

#include "distill/matching.h"
#include "distill/step_exchange.h"

namespace distillery {

double average_over_ranks(MatchGradients& g, StepExchange& exchange) {
    const auto device = g.images.device();
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64).device(device);
    std::vector<at::Tensor> parts{g.images.reshape(-1).to(torch::kFloat64)};
    if (g.logits.defined()) parts.push_back(g.logits.reshape(-1).to(torch::kFloat64));
    parts.push_back(torch::tensor({g.lr, g.loss}, f64));
    auto buffer = torch::cat(parts);
    const auto t0 = std::chrono::steady_clock::now();
    exchange.all_reduce_sum(buffer);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    buffer.div_(static_cast<double>(exchange.world_size()));

    std::int64_t at = 0;
    auto take = [&](const at::Tensor& like) {
        const auto n = like.numel();
        auto part = buffer.slice(0, at, at + n).reshape(like.sizes()).to(like.scalar_type());
        at += n;
        return part;
    };
    g.images = take(g.images);
    if (g.logits.defined()) g.logits = take(g.logits);
    const auto scalars = buffer.slice(0, at, at + 2).to(torch::kCPU);
    g.lr = scalars[0].item<double>();
    g.loss = scalars[1].item<double>();
    return seconds;
}

std::uint64_t rank_draw_seed(std::uint64_t shared_seed, int rank) {
    // splitmix64 of the shared seed and the rank: nearby ranks get unrelated streams.
    std::uint64_t z = shared_seed + 0x9E3779B97F4A7C15ULL * (static_cast<std::uint64_t>(rank) + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

}  // namespace distillery
