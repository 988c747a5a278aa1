// Expert trajectory files (.dtraj): the header, the size check, reading the first and the last
// checkpoint, and the network description a run builds its ConvNet from.
#include "fuzz_support.h"

using namespace distillery;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet_torch();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = fuzz::write_file(fuzz::scratch() / "expert_0000.dtraj", fuzz::as_text(data, size));
    fuzz::expect_refusal_or_success([&] {
        const auto t = TrajectoryFile::open(path);
        t.checkpoint(0);
        t.checkpoint(t.checkpoints() - 1);
        const ConvNet net(ConvNetSpec::parse(t.value("net")));
    });
    return 0;
}
