#pragma once
// Files shared with the Python reference implementations (MTT, TESLA, DATM): synthetic sets as
// the .pt files their scripts write and read, and MTT's expert buffers. Reading never runs
// Python's pickle: see interop/pt_archive.h. Every malformed file gives a distillery::Error that
// names the file and what is wrong.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace distillery {

struct ConvNetSpec;   // nn/convnet.h
struct SyntheticSet;  // distill/synthetic_set.h

// The names MTT's and DATM's distill.py give their best synthetic set, which their evaluation
// scripts load.
inline constexpr const char* kPtImagesFile = "images_best.pt";
inline constexpr const char* kPtLabelsFile = "labels_best.pt";
inline constexpr const char* kPtLrFile = "lr_best.pt";

struct PtExportPaths {
    std::string images, labels, lr;
};

// Writes `set` into `dir` (created if missing) as three torch.save files that Python's
// torch.load (also with weights_only=True) reads as plain tensors:
//   images_best.pt  float32 [N, C, H, W], in model space (normalised or ZCA-whitened)
//   labels_best.pt  int64 [N] class indices, or float32 [N, K] probabilities
//   lr_best.pt      float64 0-dim tensor: the learned student lr
// Each file is written to a temporary name and renamed, so none is ever half written.
PtExportPaths export_synthetic_set_pt(const SyntheticSet& set, const std::string& dir);

// Reads a synthetic set that Python wrote: `images_path` a floating tensor [N, C, H, W];
// `labels_path` integer class indices [N] or floating probabilities [N, K] (rows summing to 1);
// `lr_path` (optional, "" for none) a one-element tensor or a Python number, else `default_lr`.
// Everything arrives as float32 / int64; info["source"] names the images file.
SyntheticSet read_synthetic_set_pt(const std::string& images_path, const std::string& labels_path,
                                   const std::string& lr_path, double default_lr);

struct ReplayBufferImport {
    std::vector<std::string> written;  // the .dtraj files, in expert order
    std::int64_t first_index = 0;      // the store index of the first of them
};

// Imports MTT's replay_buffer_<n>.pt (torch.save of a list of experts, each a list of epochs
// (epoch 0 = the initialisation), each a list of the network's parameter tensors in
// net.parameters() order) into the expert folder `experts_dir`, as expert_<i>.dtraj files
// numbered after the ones already there. Every tensor's shape is checked against `net` before
// anything is written; a mismatch names the file, expert, epoch and parameter. `header` goes into
// every trajectory's header (dataset, transform, training settings); net, train_epochs, expert
// and source are set here. Experts already in the folder must have the same net, dataset and
// transform. All or nothing: if any expert fails, the ones written by this call are removed.
ReplayBufferImport import_replay_buffer(const std::string& buffer_path, const ConvNetSpec& net,
                                        const std::map<std::string, std::string>& header,
                                        const std::string& experts_dir);

}  // namespace distillery
