#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

#include "config/settings.h"
#include "data/dataset.h"
#include "nn/convnet.h"

namespace distillery {

// ZCA whitening with the reference semantics (kornia 0.6.3's ZCAWhitening as MTT uses it): rows
// are images flattened C-major, the covariance is unbiased, `eps` is added to the eigenvalues, and
// it is fitted on the training set only. apply(x) = (x - mu) T, invert(z) = z T^-1 + mu.
struct Zca {
    Tensor mean;       // [D]
    Tensor whiten;     // [D, D]
    Tensor unwhiten;   // [D, D]
    double eps = 0.1;

    static Zca fit(const Tensor& images, double eps = 0.1);
    Tensor apply(const Tensor& images) const;
    Tensor invert(const Tensor& whitened) const;
};

// What the networks see: either mean/std normalised pixels, or ZCA-whitened raw pixels (the
// reference applies no normalisation before ZCA). `to_model` maps [0,1] pixels into that space;
// `to_pixels` maps back for display and export.
class InputTransform {
public:
    static InputTransform normalize(const Normalization& n);
    static InputTransform zca(const Zca& z);

    Tensor to_model(const Tensor& pixels) const;
    Tensor to_pixels(const Tensor& model_space) const;
    bool is_zca() const { return zca_.whiten.defined(); }
    std::string describe() const;  // "normalize" or "zca"

private:
    Tensor mean_, std_;  // [1, C, 1, 1]
    Zca zca_;
};

// A data set ready for training: both splits in model space, on one device.
struct PreparedData {
    std::string name;
    std::vector<std::string> classes;
    Tensor train_x, train_y, test_x, test_y;
    InputTransform transform;

    std::int64_t channels() const { return train_x.size(1); }
    std::int64_t height() const { return train_x.size(2); }
    std::int64_t width() const { return train_x.size(3); }
    std::int64_t num_classes() const { return static_cast<std::int64_t>(classes.size()); }
};

// The ConvNet that fits this data (its channels, size and classes) at the given width and depth.
ConvNetSpec convnet_for(const PreparedData& data, std::int64_t net_width, std::int64_t depth);

// Normalises (or ZCA-whitens, fitting on `split.train`) and moves both splits to `device`.
PreparedData prepare(const DataSplit& split, bool use_zca, const std::string& device = "cpu");

// The data a preset describes: `dataset` (see load_dataset), `train_per_class` (a balanced random
// slice of the training set; 0 = all of it, drawn with `seed`) and `zca`.
PreparedData prepare_from_settings(const Settings& settings, const std::string& device = "cpu");

}  // namespace distillery
