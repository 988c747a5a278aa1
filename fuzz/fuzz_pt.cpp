// The .pt imports: the input is read as an MTT replay buffer for the tiny ConvNet (imported into
// a scratch expert folder), as the images of a synthetic set, and as its labels and lr.
#include "distill/synthetic_set.h"
#include "fuzz_support.h"
#include "interop/pytorch_files.h"

using namespace distillery;

namespace {
PtExportPaths g_valid;  // a valid exported set, the other half of each synthetic-set read
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet_torch();
    SyntheticSet set;
    set.images = torch::randn({2, 3, 4, 4});
    set.labels = torch::tensor({0, 1}, torch::kInt64);
    g_valid = export_synthetic_set_pt(set, (fuzz::scratch() / "valid").string());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = fuzz::write_file(fuzz::scratch() / "input.pt", fuzz::as_text(data, size));
    const auto experts = fuzz::scratch() / "experts";
    fuzz::expect_refusal_or_success([&] { import_replay_buffer(path, fuzz::tiny_net(), {}, experts.string()); });
    std::filesystem::remove_all(experts);
    fuzz::expect_refusal_or_success([&] { read_synthetic_set_pt(path, g_valid.labels, "", 0.1); });
    fuzz::expect_refusal_or_success([&] { read_synthetic_set_pt(g_valid.images, path, path, 0.1); });
    return 0;
}
