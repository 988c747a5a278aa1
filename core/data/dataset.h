#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace distillery {

using Tensor = at::Tensor;

// Images as read from disk: float32 [N, C, H, W] with pixels in [0, 1], int64 labels [N].
struct Dataset {
    std::string name;                  // "fashion-mnist", "cifar10", the folder's name, ...
    Tensor images;
    Tensor labels;
    std::vector<std::string> classes;  // class index -> name

    std::int64_t size() const;
    std::int64_t channels() const;
    std::int64_t height() const;
    std::int64_t width() const;
    std::int64_t num_classes() const { return static_cast<std::int64_t>(classes.size()); }
};

struct DataSplit {
    Dataset train;
    Dataset test;
};

// Readers. Each checks the file against its format and throws an Error that names the file and
// what is wrong (bad magic, truncated, extra bytes, label out of range); a load is all or nothing.

// IDX files (MNIST, Fashion-MNIST), gzipped or not.
Dataset read_idx(const std::string& images_path, const std::string& labels_path, const std::string& name,
                 const std::vector<std::string>& classes);
// The CIFAR-10 binary version: data_batch_1..5.bin and test_batch.bin in `dir`.
DataSplit read_cifar10(const std::string& dir);
// The CIFAR-100 binary version: train.bin and test.bin in `dir` (fine labels).
DataSplit read_cifar100(const std::string& dir);
// A folder with one sub-folder per class, each image read and resized to height x width with
// OpenCV (channels 1 or 3). With train/ and test/ (or val/) sub-folders those are the split;
// otherwise every tenth image of each class (in name order) is held out for testing.
DataSplit read_image_folder(const std::string& dir, std::int64_t height, std::int64_t width,
                            std::int64_t channels);

// Opens a data set by name or path:
//   "fashion-mnist" / "mnist"     IDX files, looked for in $DISTILLERY_DATA, then
//                                  /usr/share/datasets/<name> (Debian's dataset-fashion-mnist)
//   "cifar10:DIR", "cifar100:DIR" the binary versions
//   "folder:DIR"                   an image folder (32x32, 3 channels), or "folder:DIR:HxWxC"
//   DIR                            detected from its contents (IDX, CIFAR-10, CIFAR-100, or folder)
DataSplit load_dataset(const std::string& spec);

// Mean and standard deviation per channel used to normalise a data set when ZCA is off (spec 1.1).
struct Normalization {
    std::vector<double> mean;
    std::vector<double> std;
};
Normalization normalization_for(const Dataset& data);

// Indices of `per_class` random examples of each class, drawn without replacement, grouped by
// class in class order. Throws, naming `what` and the class, if a class has too few.
Tensor balanced_indices(const Tensor& labels, const std::vector<std::string>& classes, std::int64_t per_class,
                        std::uint64_t seed, const std::string& what);

// A balanced random subset: `per_class` images of each class, drawn without replacement.
// per_class <= 0 returns the data set unchanged. Throws if a class has fewer images.
Dataset balanced_subset(const Dataset& data, std::int64_t per_class, std::uint64_t seed);

}  // namespace distillery
