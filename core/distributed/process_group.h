#pragma once
#include <ATen/core/Tensor.h>

#include <memory>
#include <string>

#include "common/error.h"
#include "distributed/launch.h"

namespace distillery {

// This rank lost the others: one of them stopped (killed, crashed, or ended with its own error),
// or did not answer within the time-out. The message says which collective it was in; the
// other rank's own output says why it stopped.
class RankLost : public Error {
public:
    using Error::Error;
};

// The ranks of one job, joined through PyTorch's c10d: rank 0 hosts a TCPStore at
// MASTER_ADDR:MASTER_PORT, every rank meets there, and the collectives run on c10d's process
// group: Gloo for CPU tensors, NCCL for CUDA tensors where LibTorch was built with it (else Gloo,
// through CPU copies). The c10d headers stay in the .cpp.
//
// Every call is a collective: all ranks make the same calls in the same order, with tensors of the
// same size. A failure throws RankLost on the ranks that are still there.
class ProcessGroup {
public:
    // Joins the job described by `env` for tensors on `device` ("cpu" or "cuda"). On CUDA each
    // rank takes the GPU of its LOCAL_RANK. Throws an Error when the rendezvous fails (rank 0
    // cannot listen on the port, or not every rank arrived within the time-out).
    static std::unique_ptr<ProcessGroup> connect(const LaunchEnvironment& env, const std::string& device);
    ~ProcessGroup();
    ProcessGroup(const ProcessGroup&) = delete;
    ProcessGroup& operator=(const ProcessGroup&) = delete;

    int rank() const;
    int world_size() const;
    const std::string& backend() const;  // "gloo" or "nccl"
    const LaunchEnvironment& environment() const;

    // Sums `t` over the ranks, in place. `what` names the step in a failure's message.
    void all_reduce_sum(at::Tensor& t, const std::string& what);
    // Rank `root`'s `t` into every rank's `t` (same shape and type everywhere).
    void broadcast(at::Tensor& t, int root, const std::string& what);
    // How many ranks pass `flag`, known to every rank: a rank that cannot go on votes before it
    // stops, so that the others end with its reason named instead of a lost connection.
    int count(bool flag, const std::string& what);

private:
    struct Impl;
    explicit ProcessGroup(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace distillery
