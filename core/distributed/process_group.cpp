#include "distributed/process_group.h"

#include <torch/torch.h>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/Types.hpp>
#ifdef DISTILLERY_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef DISTILLERY_HAVE_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>

namespace distillery {
namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// LibTorch 2.4 and later serve the store through libuv unless told otherwise, and refuse to start
// when built without it, as Debian 13's LibTorch 2.6 is. The classic server, the only one 1.13
// has (its options have no such field), serves jobs of our size as well, so it is asked for
// wherever the option exists.
template <class Options>
auto use_classic_store_server(Options& options, int) -> decltype(options.useLibUV = false, void()) {
    options.useLibUV = false;
}
template <class Options>
void use_classic_store_server(Options&, long) {}

#ifdef DISTILLERY_HAVE_GLOO
bool is_loopback(const std::string& host) { return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1"; }

// The network device Gloo's connections use, chosen as torchrun's processes choose it: the
// interface GLOO_SOCKET_IFNAME names, else the address this machine's name resolves to. A job
// whose rank 0 is on the loopback address runs on one machine, so its ranks use the loopback too.
std::shared_ptr<::gloo::transport::Device> gloo_device(const LaunchEnvironment& env) {
    if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface != nullptr && *interface != '\0')
        return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
    if (is_loopback(env.master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    return c10d::ProcessGroupGloo::createDefaultDevice();
}
#endif

}  // namespace

struct ProcessGroup::Impl {
    LaunchEnvironment env;
    std::string backend;
    c10::Device device{c10::kCPU};  // where the backend takes its tensors
    c10::intrusive_ptr<c10d::Store> store;
    // The backend, by its own class: PyTorch 2 derives them from c10d::Backend, 1.13 from
    // c10d::ProcessGroup, and both have the collectives used here with the same signatures.
#ifdef DISTILLERY_HAVE_GLOO
    c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#endif
#ifdef DISTILLERY_HAVE_NCCL
    c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif

    template <typename F>
    void on_group(F&& f) {
#ifdef DISTILLERY_HAVE_NCCL
        if (nccl) return f(*nccl);
#endif
#ifdef DISTILLERY_HAVE_GLOO
        if (gloo) return f(*gloo);
#endif
        throw Error("no process group");  // connect() made one, or threw
    }

    // Runs a collective; a failure of the transport becomes RankLost with `what` named.
    template <typename F>
    void collective(const std::string& what, F&& f) {
        try {
            f();
        } catch (const std::exception& e) {
            throw RankLost(env.describe() + ": lost the other ranks during " + what + " (" + first_line(e.what()) +
                           "): another rank has stopped (its output says why), or it did not answer within " +
                           std::to_string(env.timeout.count()) + " s (DISTILLERY_DIST_TIMEOUT)");
        }
    }

    // `t` as the backend takes it, and back.
    at::Tensor on_backend(const at::Tensor& t) const { return t.device() == device ? t : t.to(device); }
};

ProcessGroup::ProcessGroup(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProcessGroup::~ProcessGroup() = default;

std::unique_ptr<ProcessGroup> ProcessGroup::connect(const LaunchEnvironment& env, const std::string& device) {
    auto impl = std::make_unique<Impl>();
    impl->env = env;
    const std::string where = env.master_addr + ":" + std::to_string(env.master_port);
    try {
        c10d::TCPStoreOptions options;
        options.port = static_cast<std::uint16_t>(env.master_port);
        options.isServer = env.rank == 0;
        options.numWorkers = static_cast<std::size_t>(env.world_size);
        // The wait for every rank happens once, when the process group forms below, so that a rank
        // that never comes is reported the same way by every LibTorch (2.x's store would time out first).
        options.waitWorkers = false;
        options.timeout = env.timeout;
        use_classic_store_server(options, 0);
        impl->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
    } catch (const std::exception& e) {
        throw Error(env.describe() + ": the rendezvous at " + where + " failed (" + first_line(e.what()) + "); " +
                    (env.rank == 0 ? "is the port in use? choose another MASTER_PORT"
                                   : "is rank 0 running there, and MASTER_ADDR and MASTER_PORT the same for every rank?"));
    }
    try {
        const bool cuda = device.rfind("cuda", 0) == 0;
#ifdef DISTILLERY_HAVE_NCCL
        if (cuda) {
            c10::cuda::set_device(static_cast<c10::DeviceIndex>(env.local_rank));
            // NCCL does not notice a dead peer by itself: with a blocking wait a collective that
            // outlives the time-out throws in wait(), which becomes RankLost below, instead of
            // hanging (the variable's name before and after PyTorch 2.2). The user's choice stays.
            setenv("NCCL_BLOCKING_WAIT", "1", 0);
            setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
            auto options = c10d::ProcessGroupNCCL::Options::create();
            options->timeout = env.timeout;
            impl->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl->store, env.rank, env.world_size, options);
            impl->backend = "nccl";
            impl->device = c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(env.local_rank));
        }
#else
        (void)cuda;  // a LibTorch without NCCL: Gloo on CPU copies of the CUDA tensors
#endif
        if (impl->backend.empty()) {
#ifdef DISTILLERY_HAVE_GLOO
            auto options = c10d::ProcessGroupGloo::Options::create(env.timeout);
            options->devices.push_back(gloo_device(env));
            impl->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, env.rank, env.world_size, options);
            impl->backend = "gloo";
#else
            throw Error("this build of Distillery has no Gloo (its headers were missing when it was built: "
                        "install libgloo-dev and build again)" +
                        std::string(cuda ? "" : "; on CUDA, a LibTorch with NCCL works without it"));
#endif
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(env.describe() + ": the process group did not form at " + where + " (" + first_line(e.what()) +
                    "): not all " + std::to_string(env.world_size) + " ranks arrived within " +
                    std::to_string(env.timeout.count()) +
                    " s (DISTILLERY_DIST_TIMEOUT), or one stopped while the job started (its output says why)");
    }
    return std::unique_ptr<ProcessGroup>(new ProcessGroup(std::move(impl)));
}

int ProcessGroup::rank() const { return impl_->env.rank; }
int ProcessGroup::world_size() const { return impl_->env.world_size; }
const std::string& ProcessGroup::backend() const { return impl_->backend; }
const LaunchEnvironment& ProcessGroup::environment() const { return impl_->env; }

void ProcessGroup::all_reduce_sum(at::Tensor& t, const std::string& what) {
    std::vector<at::Tensor> tensors{impl_->on_backend(t.contiguous())};
    impl_->collective(what, [&] { impl_->on_group([&](auto& g) { g.allreduce(tensors)->wait(); }); });
    if (!tensors[0].is_same(t)) t.copy_(tensors[0]);
}

void ProcessGroup::broadcast(at::Tensor& t, int root, const std::string& what) {
    std::vector<at::Tensor> tensors{impl_->on_backend(t.contiguous())};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    impl_->collective(what, [&] { impl_->on_group([&](auto& g) { g.broadcast(tensors, options)->wait(); }); });
    if (!tensors[0].is_same(t)) t.copy_(tensors[0]);
}

int ProcessGroup::count(bool flag, const std::string& what) {
    auto t = torch::full({1}, flag ? 1.0 : 0.0, torch::kFloat64);
    all_reduce_sum(t, what);
    return static_cast<int>(t.item<double>() + 0.5);
}

}  // namespace distillery
