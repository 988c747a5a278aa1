#include "expert/trajectory.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/numbers.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/header_file.h"

namespace fs = std::filesystem;

namespace distillery {
namespace {

constexpr char kMagic[8] = {'D', 'S', 'T', 'T', 'R', 'A', 'J', '1'};

// No trained ConvNet's parameter comes near this; a value beyond it is damage, not training.
constexpr float kLargestParameter = 1e6f;

std::int64_t parse_count(const std::string& path, const std::map<std::string, std::string>& h, const std::string& key) {
    const auto it = h.find(key);
    if (it == h.end()) throw Error(path + ": trajectory header lacks '" + key + "'");
    const auto v = parse_int(it->second);
    if (!v || *v <= 0 || *v > (1LL << 40)) throw Error(path + ": trajectory header has a bad '" + key + "' (" + it->second + ")");
    return *v;
}

}  // namespace

void TrajectoryFile::write(const std::string& path, const std::map<std::string, std::string>& header,
                           const std::vector<Tensor>& checkpoints) {
    if (checkpoints.empty()) throw Error(path + ": a trajectory needs at least one checkpoint");
    const auto params = checkpoints.front().numel();
    std::map<std::string, std::string> h = header;
    h["params"] = std::to_string(params);
    h["checkpoints"] = std::to_string(checkpoints.size());
    for (const auto& c : checkpoints)
        if (c.numel() != params) throw Error(path + ": checkpoints differ in size");
    write_file_atomically(path, [&](std::ostream& out) {
        write_text_header(out, kMagic, h);
        for (const auto& c : checkpoints) {
            const auto cpu = c.detach().to(torch::kCPU, torch::kFloat32).contiguous();
            out.write(reinterpret_cast<const char*>(cpu.data_ptr<float>()),
                      static_cast<std::streamsize>(params * sizeof(float)));
        }
    });
}

TrajectoryFile TrajectoryFile::open(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open");
    TrajectoryFile t;
    t.path_ = path;
    t.header_ = read_text_header(in, kMagic, path, "trajectory", t.data_offset_);
    t.params_ = parse_count(path, t.header_, "params");
    t.checkpoints_ = parse_count(path, t.header_, "checkpoints");
    const auto have = static_cast<std::int64_t>(fs::file_size(path));
    // Each count may be up to 2^40, so their product is checked: one that wrapped around could
    // match the file's size and make checkpoint() allocate terabytes.
    std::int64_t want = 0;
    if (__builtin_mul_overflow(t.params_, t.checkpoints_, &want) || __builtin_mul_overflow(want, 4, &want) ||
        __builtin_add_overflow(want, t.data_offset_, &want))
        throw Error(path + ": truncated: the header promises " + std::to_string(t.checkpoints_) + " checkpoints of " +
                    std::to_string(t.params_) + " parameters, more than any file holds; found " + std::to_string(have) +
                    " bytes");
    if (have != want)
        throw Error(path + ": " + (have < want ? "truncated" : "has trailing bytes") + ": expected " +
                    std::to_string(want) + " bytes for " + std::to_string(t.checkpoints_) + " checkpoints of " +
                    std::to_string(t.params_) + " parameters, found " + std::to_string(have));
    // An expert trained for E epochs holds E + 1 checkpoints (the initialisation first).
    const auto epochs = t.header_.find("train_epochs");
    if (epochs != t.header_.end() && parse_int(epochs->second) != t.checkpoints_ - 1)
        throw Error(path + ": the header says train_epochs = " + epochs->second + ", but the file holds " +
                    std::to_string(t.checkpoints_) + " checkpoints (" + std::to_string(t.checkpoints_ - 1) + " epochs)");
    return t;
}

std::string TrajectoryFile::value(const std::string& key, const std::string& fallback) const {
    const auto it = header_.find(key);
    return it == header_.end() ? fallback : it->second;
}

Tensor TrajectoryFile::checkpoint(std::int64_t epoch) const {
    if (epoch < 0 || epoch >= checkpoints_)
        throw Error(path_ + ": checkpoint " + std::to_string(epoch) + " asked for, the trajectory has 0.." +
                    std::to_string(checkpoints_ - 1));
    std::ifstream in(path_, std::ios::binary);
    in.seekg(data_offset_ + epoch * params_ * 4);
    auto t = torch::empty({params_}, torch::kFloat32);
    in.read(reinterpret_cast<char*>(t.data_ptr<float>()), static_cast<std::streamsize>(params_ * 4));
    if (!in) throw Error(path_ + ": cannot read checkpoint " + std::to_string(epoch));
    // A damaged expert would otherwise surface as a non-finite matching loss, which the run's
    // guard blames on the learning rates.
    const auto largest = t.abs().max().item<float>();
    if (!std::isfinite(largest))
        throw Error(path_ + ": checkpoint " + std::to_string(epoch) + " holds NaN or Inf: the expert file is damaged; "
                    "delete it and run `distillery-cli experts` to train it again");
    if (largest > kLargestParameter)
        throw Error(path_ + ": checkpoint " + std::to_string(epoch) + " holds a parameter of " + format_double(largest, 3) +
                    ", far beyond any trained network's (at most " + format_double(kLargestParameter) +
                    "): the expert file is damaged; delete it and run `distillery-cli experts` to train it again");
    return t;
}

ExpertStore::ExpertStore(std::string dir) : dir_(std::move(dir)) {}

std::string ExpertStore::path_of(std::int64_t index) const {
    char name[32];
    std::snprintf(name, sizeof name, "expert_%04lld.dtraj", static_cast<long long>(index));
    return (fs::path(dir_) / name).string();
}

std::vector<std::int64_t> ExpertStore::complete() const {
    std::vector<std::int64_t> found;
    if (!fs::is_directory(dir_)) return found;
    for (std::int64_t i = 0; fs::exists(path_of(i)); ++i) found.push_back(i);
    return found;
}

TrajectoryFile ExpertStore::open(std::int64_t index) const { return TrajectoryFile::open(path_of(index)); }

}  // namespace distillery
