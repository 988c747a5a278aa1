#include "data/transform.h"

#include <torch/torch.h>

#include "common/error.h"

namespace distillery {

Zca Zca::fit(const Tensor& images, double eps) {
    const auto n = images.size(0);
    if (n < 2) throw Error("ZCA needs at least two training images");
    // Double precision: the covariance of tens of thousands of images loses digits in float32.
    const auto x = images.reshape({n, -1}).to(torch::kFloat64);
    const auto mu = x.mean(0);
    const auto centered = x - mu;
    const auto cov = centered.t().mm(centered) / static_cast<double>(n - 1);
    // The covariance is symmetric positive semi-definite, so its eigendecomposition is its SVD.
    // ATen's function rather than torch::linalg::eigh: Debian 13's LibTorch 2.6 ships no torch/linalg.h.
    auto [s, u] = at::linalg_eigh(cov, "L");
    s = s.clamp_min(0);
    Zca z;
    z.eps = eps;
    z.mean = mu.to(images.scalar_type());
    z.whiten = u.mm(torch::diag((s + eps).rsqrt())).mm(u.t()).to(images.scalar_type());
    z.unwhiten = u.mm(torch::diag((s + eps).sqrt())).mm(u.t()).to(images.scalar_type());
    return z;
}

Tensor Zca::apply(const Tensor& images) const {
    const auto flat = images.reshape({images.size(0), -1});
    if (flat.size(1) != mean.size(0))
        throw Error("ZCA was fitted on images of " + std::to_string(mean.size(0)) + " values, got " +
                    std::to_string(flat.size(1)));
    return (flat - mean).mm(whiten).reshape(images.sizes());
}

Tensor Zca::invert(const Tensor& whitened) const {
    const auto flat = whitened.reshape({whitened.size(0), -1});
    return (flat.mm(unwhiten) + mean).reshape(whitened.sizes());
}

InputTransform InputTransform::normalize(const Normalization& n) {
    InputTransform t;
    const auto c = static_cast<std::int64_t>(n.mean.size());
    t.mean_ = torch::tensor(n.mean, torch::kFloat32).reshape({1, c, 1, 1});
    t.std_ = torch::tensor(n.std, torch::kFloat32).reshape({1, c, 1, 1});
    return t;
}

InputTransform InputTransform::zca(const Zca& z) {
    InputTransform t;
    t.zca_ = z;
    return t;
}

Tensor InputTransform::to_model(const Tensor& pixels) const {
    if (is_zca()) return zca_.apply(pixels.to(zca_.mean.device()));
    return (pixels - mean_.to(pixels.device())) / std_.to(pixels.device());
}

Tensor InputTransform::to_pixels(const Tensor& model_space) const {
    if (is_zca()) return zca_.invert(model_space.to(zca_.mean.device()));
    return model_space * std_.to(model_space.device()) + mean_.to(model_space.device());
}

std::string InputTransform::describe() const { return is_zca() ? "zca" : "normalize"; }

ConvNetSpec convnet_for(const PreparedData& data, std::int64_t net_width, std::int64_t depth) {
    ConvNetSpec spec;
    spec.channels = data.channels();
    spec.height = data.height();
    spec.width = data.width();
    spec.classes = data.num_classes();
    spec.net_width = net_width;
    spec.depth = depth;
    return spec;
}

PreparedData prepare(const DataSplit& split, bool use_zca, const std::string& device) {
    if (split.train.size() == 0) throw Error(split.train.name + ": the training split is empty");
    if (split.test.size() == 0) throw Error(split.train.name + ": the test split is empty");
    PreparedData p;
    p.name = split.train.name;
    p.classes = split.train.classes;
    p.transform = use_zca ? InputTransform::zca(Zca::fit(split.train.images))
                          : InputTransform::normalize(normalization_for(split.train));
    const torch::Device dev(device);
    p.train_x = p.transform.to_model(split.train.images).to(dev);
    p.test_x = p.transform.to_model(split.test.images).to(dev);
    p.train_y = split.train.labels.to(dev);
    p.test_y = split.test.labels.to(dev);
    return p;
}

PreparedData prepare_from_settings(const Settings& settings, const std::string& device) {
    DataSplit split = load_dataset(settings.text("dataset", "fashion-mnist"));
    const auto per_class = settings.integer("train_per_class", 0);
    if (per_class < 0) throw Error(settings.source() + ": train_per_class must not be negative");
    split.train = balanced_subset(split.train, per_class, static_cast<std::uint64_t>(settings.integer("seed", 0)));
    return prepare(split, settings.flag("zca", false), device);
}

}  // namespace distillery
