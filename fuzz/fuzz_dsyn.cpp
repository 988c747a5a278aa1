// Synthetic-set files (.dsyn), as `eval --synthetic` and export-pt read them.
#include "distill/synthetic_set.h"
#include "fuzz_support.h"

using namespace distillery;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet_torch();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = fuzz::write_file(fuzz::scratch() / "synthetic.dsyn", fuzz::as_text(data, size));
    fuzz::expect_refusal_or_success([&] { load_synthetic_set(path); });
    return 0;
}
