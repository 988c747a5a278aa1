// Run checkpoints (.dckpt): read_checkpoint_info, and resume_run on the tiny data and experts.
// A checkpoint ends with a CRC-32 of everything before it; the target recomputes it over the
// mutated bytes, so that mutations reach the parser instead of all stopping at the checksum.
#include <zlib.h>

#include "distill/checkpoint.h"
#include "distill/run.h"
#include "fuzz_support.h"

using namespace distillery;

namespace {
std::shared_ptr<const PreparedData> g_data;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet_torch();
    g_data = fuzz::tiny_data();
    fuzz::write_tiny_experts(fuzz::scratch() / "experts");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    if (bytes.size() >= 4) {
        const auto crc = static_cast<std::uint32_t>(
            crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size() - 4)));
        for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
    }
    const auto path = fuzz::write_file(fuzz::scratch() / "run.dckpt", bytes);
    fuzz::expect_refusal_or_success([&] { read_checkpoint_info(path); });
    fuzz::expect_refusal_or_success(
        [&] { resume_run(path, g_data, (fuzz::scratch() / "experts").string()); });
    return 0;
}
