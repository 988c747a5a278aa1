// Expert-training throughput and evaluation time on this machine, on real Fashion-MNIST.
// Prints a Markdown table for docs/benchmarks.md. Usage: bench_foundation [--device cpu|cuda]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "augment/dsa.h"
#include "common/runtime.h"
#include "data/transform.h"
#include "eval/evaluate.h"
#include "train/training.h"

using namespace distillery;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void sync(const std::string& device) {
    if (device == "cuda") torch::cuda::synchronize();
}


}  // namespace

int main(int argc, char** argv) {
    std::string device = "auto";
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--device") device = argv[i + 1];
    init_runtime();
    device = resolve_device(device);
    std::printf("%s; device %s\n\n", runtime_summary().c_str(), device.c_str());

    auto split = load_dataset("fashion-mnist");
    split.train = balanced_subset(split.train, 400, 0);  // 4,000 training images
    const auto data = prepare(split, false, device);
    const Dsa dsa("color_crop_cutout_flip_scale_rotate");

    std::printf("| measurement | width 32 | width 128 |\n|---|---|---|\n");
    double train_ips[2], test_ips[2], eval_s[2];
    const std::int64_t widths[2] = {32, 128};
    for (int w = 0; w < 2; ++w) {
        const ConvNet net(convnet_for(data, widths[w], 3));
        Rng rng(1);
        auto theta = net.initial_parameters(rng).to(data.train_x.device());
        FlatSgd sgd(0.01);
        // Warm-up: one short pass (allocator, kernels), not timed.
        const auto warm = data.train_x.narrow(0, 0, 512);
        train_epoch(net, theta, warm, data.train_y.narrow(0, 0, 512), 256, sgd, dsa, rng);
        sync(device);
        const std::int64_t n = widths[w] == 32 ? 4000 : (device == "cuda" ? 4000 : 1024);
        auto t0 = Clock::now();
        train_epoch(net, theta, data.train_x.narrow(0, 0, n), data.train_y.narrow(0, 0, n), 256, sgd, dsa, rng);
        sync(device);
        train_ips[w] = n / seconds(t0);

        t0 = Clock::now();
        accuracy(net, theta, data.test_x, data.test_y);
        sync(device);
        test_ips[w] = data.test_x.size(0) / seconds(t0);

        // The evaluation protocol on an IPC-10 set (100 images), one network, 20 epochs.
        EvalConfig cfg;
        cfg.networks = 1;
        cfg.epochs = 19;
        cfg.net_width = widths[w];
        const auto [x, y] = random_real_subset(data, 10, 0);
        const auto r = evaluate_set(data, x, y, 0.01, cfg);
        eval_s[w] = r.seconds;
    }
    std::printf("| expert training, batch 256 with DSA (images/s) | %.0f | %.0f |\n", train_ips[0], train_ips[1]);
    std::printf("| one expert epoch on the full 60k training set (s) | %.1f | %.1f |\n", 60000 / train_ips[0],
                60000 / train_ips[1]);
    std::printf("| test-set pass, no augmentation (images/s) | %.0f | %.0f |\n", test_ips[0], test_ips[1]);
    std::printf("| evaluation, IPC 10, 1 network x 20 epochs incl. test (s) | %.2f | %.2f |\n", eval_s[0], eval_s[1]);
    // The 20-epoch run includes one test-set pass; the 1001-epoch protocol also has exactly one.
    const double test_s[2] = {data.test_x.size(0) / test_ips[0], data.test_x.size(0) / test_ips[1]};
    std::printf("| evaluation protocol, 1 network x 1001 epochs + test, IPC 10 (s, extrapolated) | %.0f | %.0f |\n",
                (eval_s[0] - test_s[0]) * 1001 / 20 + test_s[0], (eval_s[1] - test_s[1]) * 1001 / 20 + test_s[1]);
    return 0;
}
