#include "augment/dsa.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "common/error.h"

namespace distillery {
namespace {

// ParamDiffAug of the reference code.
constexpr double kRatioScale = 1.2;
constexpr double kRatioRotateDeg = 15.0;
constexpr double kRatioCropPad = 0.125;
constexpr double kRatioCutout = 0.5;
constexpr double kBrightness = 1.0;
constexpr double kSaturation = 2.0;
constexpr double kContrast = 0.5;

Tensor uniform(std::int64_t n, Rng& rng, double lo = 0.0, double hi = 1.0) {
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& x : v) x = static_cast<float>(lo + (hi - lo) * rng.uniform());
    return torch::tensor(v, torch::kFloat32);
}

Tensor integers(std::int64_t n, Rng& rng, std::int64_t lo, std::int64_t hi) {
    std::vector<std::int64_t> v(static_cast<size_t>(n));
    for (auto& x : v) x = rng.integer(lo, hi);
    return torch::tensor(v, torch::kInt64);
}

Tensor per_sample(const Tensor& v, const Tensor& like) { return v.to(like.device(), like.scalar_type()).view({-1, 1, 1, 1}); }

// affine_grid + grid_sample with align_corners, as the reference does for scale and rotate.
Tensor affine(const Tensor& x, const Tensor& m00, const Tensor& m01, const Tensor& m10, const Tensor& m11) {
    const auto zeros = torch::zeros_like(m00);
    const auto theta = torch::stack({torch::stack({m00, m01, zeros}, 1), torch::stack({m10, m11, zeros}, 1)}, 1)
                           .to(x.device(), x.scalar_type());
    const auto grid = torch::nn::functional::affine_grid(theta, x.sizes().vec(), /*align_corners=*/true);
    return torch::nn::functional::grid_sample(
        x, grid, torch::nn::functional::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(true));
}

}  // namespace

std::string to_string(DsaFamily f) {
    switch (f) {
        case DsaFamily::Color: return "color";
        case DsaFamily::Crop: return "crop";
        case DsaFamily::Cutout: return "cutout";
        case DsaFamily::Flip: return "flip";
        case DsaFamily::Scale: return "scale";
        case DsaFamily::Rotate: return "rotate";
    }
    return "?";
}

Dsa::Dsa(const std::string& strategy) : strategy_(strategy) {
    if (strategy.empty() || strategy == "none") return;
    std::istringstream in(strategy);
    for (std::string token; std::getline(in, token, '_');) {
        bool known = false;
        for (auto f : {DsaFamily::Color, DsaFamily::Crop, DsaFamily::Cutout, DsaFamily::Flip, DsaFamily::Scale,
                       DsaFamily::Rotate})
            if (token == to_string(f)) {
                families_.push_back(f);
                known = true;
            }
        if (!known)
            throw Error("unknown DSA family '" + token + "' in strategy '" + strategy +
                        "' (known: color, crop, cutout, flip, scale, rotate; or none)");
    }
}

std::string Dsa::default_strategy(const std::string& dataset_name) {
    if (dataset_name == "mnist" || dataset_name == "svhn") return "color_crop_cutout_scale_rotate";
    return "color_crop_cutout_flip_scale_rotate";
}

DsaDraw Dsa::draw(std::int64_t batch, std::int64_t height, std::int64_t width, Rng& rng) const {
    if (!enabled()) throw Error("DSA is off; nothing to draw");
    DsaDraw d;
    d.family = families_[static_cast<size_t>(rng.integer(0, static_cast<std::int64_t>(families_.size()) - 1))];
    switch (d.family) {
        case DsaFamily::Color:
            d.a = uniform(batch, rng);
            d.b = uniform(batch, rng);
            d.c = uniform(batch, rng);
            break;
        case DsaFamily::Crop: {
            const auto sx = static_cast<std::int64_t>(height * kRatioCropPad + 0.5);
            const auto sy = static_cast<std::int64_t>(width * kRatioCropPad + 0.5);
            d.a = integers(batch, rng, -sx, sx);
            d.b = integers(batch, rng, -sy, sy);
            break;
        }
        case DsaFamily::Cutout: {
            const auto cx = static_cast<std::int64_t>(height * kRatioCutout + 0.5);
            const auto cy = static_cast<std::int64_t>(width * kRatioCutout + 0.5);
            d.a = integers(batch, rng, 0, height - cx % 2);
            d.b = integers(batch, rng, 0, width - cy % 2);
            break;
        }
        case DsaFamily::Flip: d.a = uniform(batch, rng); break;
        case DsaFamily::Scale:
            d.a = uniform(batch, rng, 1.0 / kRatioScale, kRatioScale);
            d.b = uniform(batch, rng, 1.0 / kRatioScale, kRatioScale);
            break;
        case DsaFamily::Rotate: {
            const double max = kRatioRotateDeg / 180.0 * M_PI;
            d.a = uniform(batch, rng, -max, max);
            break;
        }
    }
    return d;
}

Tensor Dsa::apply(const Tensor& x, const DsaDraw& d) const {
    if (x.dim() != 4) throw Error("DSA expects images [B, C, H, W]");
    if (d.a.size(0) != x.size(0))
        throw Error("DSA draw is for " + std::to_string(d.a.size(0)) + " images, the batch has " +
                    std::to_string(x.size(0)));
    const auto B = x.size(0), H = x.size(2), W = x.size(3);
    switch (d.family) {
        case DsaFamily::Color: {
            Tensor y = x + (per_sample(d.a, x) - 0.5) * kBrightness;
            const auto pixel_mean = y.mean(1, true);
            y = (y - pixel_mean) * (per_sample(d.b, x) * kSaturation) + pixel_mean;
            const auto image_mean = y.mean({1, 2, 3}, true);
            return (y - image_mean) * (per_sample(d.c, x) + kContrast) + image_mean;
        }
        case DsaFamily::Flip: return torch::where(per_sample(d.a, x) < 0.5, x.flip({3}), x);
        case DsaFamily::Scale: {
            const auto zero = torch::zeros_like(d.a);
            return affine(x, d.a, zero, zero, d.b);
        }
        case DsaFamily::Rotate: return affine(x, d.a.cos(), -d.a.sin(), d.a.sin(), d.a.cos());
        case DsaFamily::Crop: {
            // Shift by (a, b) pixels; what moves in from outside is zero (the one-pixel zero border).
            const auto opts = torch::TensorOptions().dtype(torch::kInt64).device(x.device());
            const auto rows = (torch::arange(H, opts).view({1, H, 1}) + d.a.to(x.device()).view({B, 1, 1}) + 1).clamp(0, H + 1);
            const auto cols = (torch::arange(W, opts).view({1, 1, W}) + d.b.to(x.device()).view({B, 1, 1}) + 1).clamp(0, W + 1);
            const auto batch = torch::arange(B, opts).view({B, 1, 1});
            const auto padded = torch::constant_pad_nd(x, {1, 1, 1, 1}).permute({0, 2, 3, 1});
            return padded.index({batch, rows, cols}).permute({0, 3, 1, 2});
        }
        case DsaFamily::Cutout: {
            const auto cx = static_cast<std::int64_t>(H * kRatioCutout + 0.5);
            const auto cy = static_cast<std::int64_t>(W * kRatioCutout + 0.5);
            // The mask is made where the images are: no copy from the host inside the student steps.
            const auto opts = torch::TensorOptions().dtype(torch::kInt64).device(x.device());
            const auto rows = (torch::arange(cx, opts).view({1, cx, 1}) + d.a.to(x.device()).view({B, 1, 1}) - cx / 2).clamp(0, H - 1);
            const auto cols = (torch::arange(cy, opts).view({1, 1, cy}) + d.b.to(x.device()).view({B, 1, 1}) - cy / 2).clamp(0, W - 1);
            const auto batch = torch::arange(B, opts).view({B, 1, 1});
            auto mask = torch::ones({B, H, W}, opts.dtype(torch::kFloat32));
            mask.index_put_({batch.expand({B, cx, cy}), rows.expand({B, cx, cy}), cols.expand({B, cx, cy})},
                            torch::zeros({}, mask.options()));
            return x * mask.to(x.scalar_type()).unsqueeze(1);
        }
    }
    return x;
}

Tensor Dsa::operator()(const Tensor& x, Rng& rng) const {
    if (!enabled()) return x;
    return apply(x, draw(x.size(0), x.size(2), x.size(3), rng));
}

}  // namespace distillery
