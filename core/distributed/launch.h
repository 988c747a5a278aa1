#pragma once
#include <chrono>
#include <string>

namespace distillery {

// Where this process stands in a job of several: what torchrun sets for each process it starts
// (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, LOCAL_RANK), read from the environment so that a
// job starts alike under torchrun, Slurm's srun (through a line that exports these from
// SLURM_PROCID and friends, see the README) or by hand. No library here: the CLI reads this
// before it decides whether to connect at all.
struct LaunchEnvironment {
    int rank = 0;
    int world_size = 1;
    int local_rank = 0;          // the process's index on its machine: its GPU where there are several
    std::string master_addr;     // where rank 0 listens for the rendezvous
    int master_port = 29500;     // torchrun's default
    // How long a rank waits for the others (to join, and in every collective) before it gives up.
    // A rank that dies closes its connections and the others notice at once; the time-out is for a
    // rank that hangs or a machine that vanishes, and it must exceed the longest stretch in which
    // rank 0 works alone: an evaluation, a checkpoint.
    std::chrono::seconds timeout{1800};

    bool distributed() const { return world_size > 1; }
    // "rank 1 of 4", for messages.
    std::string describe() const;
};

// Reads the variables; none set (or WORLD_SIZE=1) means one process. Throws an Error naming the
// variable that is missing or out of range (a RANK of 2 in a WORLD_SIZE of 2, no MASTER_ADDR).
// DISTILLERY_DIST_TIMEOUT (seconds) changes the time-out.
LaunchEnvironment launch_environment_from_env();

}  // namespace distillery
