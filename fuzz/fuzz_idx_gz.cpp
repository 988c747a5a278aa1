// read_idx through zlib: both parts of the input (see split()) are gzip-compressed before they
// are written, so every mutation reaches the IDX parser after decompression. (fuzz_idx mutates
// the compressed bytes themselves.)
#include <zlib.h>

#include "data/dataset.h"
#include "fuzz_support.h"

using namespace distillery;

namespace {

std::string write_gz(const std::string& path, std::string_view bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    if (!f || (!bytes.empty() && gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) <= 0)) {
        std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
        std::abort();
    }
    gzclose(f);
    return path;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet_torch();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto [images, labels] = fuzz::split(fuzz::as_text(data, size));
    const auto images_path = write_gz((fuzz::scratch() / "images-idx3-ubyte.gz").string(), images);
    const auto labels_path = write_gz((fuzz::scratch() / "labels-idx1-ubyte.gz").string(), labels);
    fuzz::expect_refusal_or_success([&] { read_idx(images_path, labels_path, "fuzz", {}); });
    return 0;
}
