#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace distillery {

using Tensor = at::Tensor;

// One expert's trajectory on disk: the flat parameters after every epoch (epoch 0 = the
// initialisation). Format, version 1 (docs/file-formats.md):
//   bytes 0..7    "DSTTRAJ1"
//   bytes 8..11   header length L, little-endian uint32
//   next L bytes  UTF-8 text, one "key=value" per line; always present: params, checkpoints, net
//   then          checkpoints x params float32 little-endian values, checkpoint-major
// The data of checkpoint e starts at 12 + L + 4*e*params, so one checkpoint is read with one seek.
class TrajectoryFile {
public:
    // Writes atomically: a temporary file in the same folder, flushed, then renamed over `path`.
    static void write(const std::string& path, const std::map<std::string, std::string>& header,
                      const std::vector<Tensor>& checkpoints);
    // Reads and checks the header and the file size; throws an Error naming the file if it is corrupt.
    static TrajectoryFile open(const std::string& path);

    const std::string& path() const { return path_; }
    std::int64_t params() const { return params_; }
    std::int64_t checkpoints() const { return checkpoints_; }
    const std::map<std::string, std::string>& header() const { return header_; }
    std::string value(const std::string& key, const std::string& fallback = "") const;

    // Reads one checkpoint from disk (float32 CPU [params]).
    Tensor checkpoint(std::int64_t epoch) const;

private:
    std::string path_;
    std::map<std::string, std::string> header_;
    std::int64_t params_ = 0, checkpoints_ = 0, data_offset_ = 0;
};

// A folder of trajectories, expert_0000.dtraj, expert_0001.dtraj, ...
class ExpertStore {
public:
    explicit ExpertStore(std::string dir);
    const std::string& dir() const { return dir_; }
    std::string path_of(std::int64_t index) const;
    // Indices of the complete expert files present, ascending.
    std::vector<std::int64_t> complete() const;
    std::int64_t count() const { return static_cast<std::int64_t>(complete().size()); }
    TrajectoryFile open(std::int64_t index) const;

private:
    std::string dir_;
};

}  // namespace distillery
