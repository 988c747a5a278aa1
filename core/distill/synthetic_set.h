#pragma once
#include <ATen/core/Tensor.h>

#include <map>
#include <string>

namespace distillery {

// A distilled set as a file (`.dsyn`, docs/file-formats.md): the images in model space (what the
// networks see: normalised or ZCA-whitened), their labels (class indices, or probabilities for
// soft labels) and the learned student learning rate, which evaluation uses.
struct SyntheticSet {
    at::Tensor images;  // float32 [N, C, H, W]
    at::Tensor labels;  // int64 [N] or float32 [N, K]
    double lr = 0.01;
    std::map<std::string, std::string> info;  // dataset, transform, net, method, iteration, ...
};

// info["classes"], where given, records the data set's number of classes with hard labels too,
// so that a label out of range is refused when the file is read, not deep inside a training run.
// The labels are written as they are: callers check what they did not make themselves.
void save_synthetic_set(const std::string& path, const SyntheticSet& set);
// Throws an Error naming the file if it is not a complete synthetic-set file.
SyntheticSet load_synthetic_set(const std::string& path);

// The labels a synthetic set may hold: class indices in [0, classes), or rows of probabilities
// (finite, not negative, summing to 1) over `classes` classes. classes 0: not known. Throws an
// Error starting with `where`.
void check_synthetic_labels(const at::Tensor& labels, std::int64_t classes, const std::string& where);

}  // namespace distillery
