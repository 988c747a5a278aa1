#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace distillery {

class DistillRun;
struct DistillRunState;
struct PreparedData;
struct StepRecord;

// Checkpoints of a distillation run (`.dckpt`, docs/file-formats.md): the run's complete state
// (DistillRunState: images, labels, learned lr, optimisers, random stream, expert order,
// configuration, pending changes, records) plus the settings text and the experts folder it was
// made from. A resumed run continues exactly as the uninterrupted one would have.
//
// A file is written to `PATH.tmp`, flushed to disk and renamed over PATH, so a crash at any
// moment leaves the last complete checkpoint readable. It ends with a CRC-32 of everything
// before it, and every length and shape is checked against the file before anything is
// allocated, so a torn, truncated or corrupt file is refused with a message naming it.

// What a checkpoint says about where its run came from: enough to prepare the data and find the
// experts before resuming.
struct CheckpointInfo {
    std::string path;
    std::int64_t iteration = 0;  // iterations done
    std::string settings_text;   // the Settings (`key = value` lines) the run was made from
    std::string experts_dir;
    std::string dataset;         // PreparedData::name
};

// Writes atomically; throws distillery::Error with a clear message (the previous file stays
// intact) on failure. Safe while another thread edits the run with set(); call it between steps.
void save_checkpoint(const DistillRun& run, const std::string& settings_text, const std::string& experts_dir,
                     const std::string& path);

// Reads only what is needed to prepare the data and the experts before resuming; validates the
// whole file (size, checksum, every field) and throws an Error naming it when it is not valid.
CheckpointInfo read_checkpoint_info(const std::string& path);
// Every step's record, from a file validated as read_checkpoint_info does (for showing a run's
// curves without preparing its data).
std::vector<StepRecord> read_checkpoint_history(const std::string& path);
// The saved run's whole state and `info`, from a file validated as read_checkpoint_info does,
// without the data or the experts a resume needs: for showing a run that goes on elsewhere (its
// images, labels, learned lr, configuration and records).
DistillRunState read_checkpoint_state(const std::string& path, CheckpointInfo& info);

// The run exactly as it was saved, on `data` (which must be the data the settings describe),
// matching the experts in `experts_dir` (default: the folder the checkpoint names).
std::unique_ptr<DistillRun> resume_run(const std::string& path, std::shared_ptr<const PreparedData> data,
                                       const std::string& experts_dir = "");

}  // namespace distillery
