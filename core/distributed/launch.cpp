#include "distributed/launch.h"

#include <cstdlib>

#include "common/error.h"
#include "common/numbers.h"

namespace distillery {
namespace {

const char* variable(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? v : nullptr;
}

// The variable as an integer in [lo, hi], or `fallback` when it is not set.
long long integer_variable(const char* name, long long fallback, long long lo, long long hi) {
    const char* text = variable(name);
    if (text == nullptr) return fallback;
    const auto n = parse_int(text);
    if (!n || *n < lo || *n > hi)
        throw Error(std::string("the environment variable ") + name + " = '" + text + "' must be an integer from " +
                    std::to_string(lo) + " to " + std::to_string(hi));
    return *n;
}

}  // namespace

std::string LaunchEnvironment::describe() const {
    return "rank " + std::to_string(rank) + " of " + std::to_string(world_size);
}

LaunchEnvironment launch_environment_from_env() {
    LaunchEnvironment e;
    e.world_size = static_cast<int>(integer_variable("WORLD_SIZE", 1, 1, 1 << 20));
    e.rank = static_cast<int>(integer_variable("RANK", 0, 0, e.world_size - 1));
    e.local_rank = static_cast<int>(integer_variable("LOCAL_RANK", 0, 0, 1 << 20));
    e.timeout = std::chrono::seconds(integer_variable("DISTILLERY_DIST_TIMEOUT", e.timeout.count(), 1, 7 * 24 * 3600));
    if (!e.distributed()) return e;
    if (variable("RANK") == nullptr)
        throw Error("WORLD_SIZE is " + std::to_string(e.world_size) +
                    " but RANK is not set: give each process its rank (0 to WORLD_SIZE - 1), as torchrun does");
    const char* addr = variable("MASTER_ADDR");
    if (addr == nullptr)
        throw Error("WORLD_SIZE is " + std::to_string(e.world_size) +
                    " but MASTER_ADDR is not set: give every process the address of rank 0's machine (and MASTER_PORT)");
    e.master_addr = addr;
    e.master_port = static_cast<int>(integer_variable("MASTER_PORT", e.master_port, 1, 65535));
    return e;
}

}  // namespace distillery
