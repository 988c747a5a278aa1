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

void save_synthetic_set(const std::string& path, const SyntheticSet& set);
// Throws an Error naming the file if it is not a complete synthetic-set file.
SyntheticSet load_synthetic_set(const std::string& path);

}  // namespace distillery
