// read_idx on an image file and a label file cut from one input (see split()), as they are on
// disk: plain or gzip, which the reader tells apart itself.
#include "data/dataset.h"
#include "fuzz_support.h"

using namespace distillery;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet_torch();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto [images, labels] = fuzz::split(fuzz::as_text(data, size));
    const auto images_path = fuzz::write_file(fuzz::scratch() / "images-idx3-ubyte", images);
    const auto labels_path = fuzz::write_file(fuzz::scratch() / "labels-idx1-ubyte", labels);
    fuzz::expect_refusal_or_success([&] { read_idx(images_path, labels_path, "fuzz", {}); });
    return 0;
}
