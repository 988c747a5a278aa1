// The all-reduce alone, through the engine's ProcessGroup (c10d: Gloo on CPU), between the
// processes of one job: start it once per rank with RANK, WORLD_SIZE, MASTER_ADDR and
// MASTER_PORT set (bench/run_distributed_bench.sh does). Rank 0 prints, per buffer size and
// type, the median and the fastest of 50 all-reduces, each after a small all-reduce that lines
// the ranks up, so a rank's wait for the other is not counted.
//
// Usage: bench_allreduce [SIZE...]   (default: 78403, the quick preset's step buffer, and
//                                     317706, the Fashion-MNIST ConvNet's parameters)
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "common/runtime.h"
#include "distributed/launch.h"
#include "distributed/process_group.h"

using namespace distillery;

int main(int argc, char** argv) {
    try {
        init_runtime(1);
        const auto env = launch_environment_from_env();
        if (!env.distributed()) {
            std::fprintf(stderr, "bench_allreduce: start one process per rank with WORLD_SIZE > 1\n");
            return 2;
        }
        std::vector<long> sizes;
        for (int i = 1; i < argc; ++i) sizes.push_back(std::atol(argv[i]));
        if (sizes.empty()) sizes = {78403, 317706};
        auto group = ProcessGroup::connect(env, "cpu");
        if (env.rank == 0) std::printf("| values | type | median ms | fastest ms |\n|---:|---|---:|---:|\n");
        for (const long n : sizes) {
            for (const auto type : {torch::kFloat32, torch::kFloat64}) {
                auto buffer = torch::ones({n}, type);
                auto line_up = torch::zeros({1}, torch::kFloat64);
                for (int i = 0; i < 5; ++i) group->all_reduce_sum(buffer, "warm-up");
                std::vector<double> ms;
                for (int i = 0; i < 50; ++i) {
                    group->all_reduce_sum(line_up, "line-up");
                    const auto t0 = std::chrono::steady_clock::now();
                    group->all_reduce_sum(buffer, "the timed all-reduce");
                    ms.push_back(1000 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
                }
                std::sort(ms.begin(), ms.end());
                if (env.rank == 0)
                    std::printf("| %ld | %s | %.3f | %.3f |\n", n, type == torch::kFloat32 ? "float32" : "float64",
                                ms[ms.size() / 2], ms.front());
            }
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_allreduce: %s\n", e.what());
        return 1;
    }
}
