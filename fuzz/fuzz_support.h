#pragma once
// Shared by the libFuzzer targets and make_fuzz_seeds. Distillery's readers take paths, so each
// input goes through a file in a private folder under $TMPDIR (scripts/fuzz.sh points that into
// build-fuzz/ and removes it afterwards).
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/error.h"
#include "common/rng.h"
#include "data/transform.h"
#include "expert/trajectory.h"
#include "nn/convnet.h"
#include "tiny_fixtures.h"

namespace distillery::fuzz {

namespace fs = std::filesystem;

// This process's scratch folder (libFuzzer may run several processes with -jobs).
inline const fs::path& scratch() {
    static const fs::path dir = [] {
        const auto d = fs::temp_directory_path() / ("distillery-fuzz-" + std::to_string(::getpid()));
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

inline std::string write_file(const fs::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
        std::abort();
    }
    return path.string();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// One input as two files: the first two bytes (little-endian) say how long the first part is,
// the second part is the rest. make_fuzz_seeds writes seeds in this layout with join().
inline std::pair<std::string_view, std::string_view> split(std::string_view in) {
    if (in.size() < 2) return {{}, {}};
    const std::size_t first = static_cast<unsigned char>(in[0]) | (static_cast<unsigned char>(in[1]) << 8);
    const auto rest = in.substr(2);
    const auto n = std::min(first, rest.size());
    return {rest.substr(0, n), rest.substr(n)};
}

inline std::string join(const std::string& a, const std::string& b) {
    std::string out;
    out += static_cast<char>(a.size() & 0xFF);
    out += static_cast<char>((a.size() >> 8) & 0xFF);
    return out + a + b;
}

// A malformed file must be refused with a distillery::Error. Any other exception means a reader
// let bad data through to code that was not meant to see it (a LibTorch shape check, an
// allocation of a size read from the file, ...): abort, so that libFuzzer keeps the input.
template <class Fn>
void expect_refusal_or_success(Fn&& read) {
    try {
        read();
    } catch (const Error&) {
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz: not a distillery::Error: %s\n", e.what());
        std::abort();
    }
}

inline void quiet_torch() {
    // One thread: inputs are tiny, and libFuzzer's process is the unit of parallelism.
    at::set_num_threads(1);
    torch::manual_seed(0);
}

// The tiny world the trajectory, buffer and checkpoint targets read into: 3x4x4 images of two
// classes and a ConvNet of width 2 and depth 1 (78 parameters), with two experts of 3 checkpoints.
inline ConvNetSpec tiny_net() { return fixtures::convnet_spec(3, 4, 4, 2, 2, 1); }

inline std::shared_ptr<const PreparedData> tiny_data() { return fixtures::random_data("fuzz", 3, 4, 2, 8, 4); }

inline std::vector<at::Tensor> tiny_trajectory(std::uint64_t seed) {
    const ConvNet net(tiny_net());
    Rng rng(seed);
    std::vector<at::Tensor> checkpoints{net.initial_parameters(rng)};
    for (int e = 1; e < 3; ++e) checkpoints.push_back(checkpoints.back() * 0.9 + 0.01 * e);
    return checkpoints;
}

// Two experts in `dir`, with the header expert generation writes for the tiny data.
inline void write_tiny_experts(const fs::path& dir) {
    fs::create_directories(dir);
    const ExpertStore store(dir.string());
    for (int i = 0; i < 2; ++i)
        TrajectoryFile::write(store.path_of(i),
                              {{"net", tiny_net().describe()}, {"dataset", "fuzz"}, {"transform", "normalize"},
                               {"expert", std::to_string(i)}},
                              tiny_trajectory(static_cast<std::uint64_t>(i)));
}

}  // namespace distillery::fuzz
