// The CIFAR binary readers: the input's first byte picks CIFAR-10 (even) or CIFAR-100 (odd); the
// rest is written as every batch file of that layout, and the folder is read as a data set.
#include "data/dataset.h"
#include "fuzz_support.h"

using namespace distillery;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet_torch();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool hundred = data[0] & 1;
    const auto body = fuzz::as_text(data + 1, size - 1);
    const auto dir = fuzz::scratch() / (hundred ? "cifar-100-binary" : "cifar-10-batches-bin");
    std::filesystem::create_directories(dir);
    if (hundred) {
        for (const char* name : {"train.bin", "test.bin"}) fuzz::write_file(dir / name, body);
        fuzz::expect_refusal_or_success([&] { read_cifar100(dir.string()); });
    } else {
        for (const char* name : {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                                 "data_batch_5.bin", "test_batch.bin"})
            fuzz::write_file(dir / name, body);
        fuzz::expect_refusal_or_success([&] { read_cifar10(dir.string()); });
    }
    return 0;
}
