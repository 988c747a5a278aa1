#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/rng.h"

namespace distillery {

using Tensor = at::Tensor;

// Differentiable Siamese Augmentation as MTT, TESLA and DATM use it (spec 4): per batch one family
// is chosen from the strategy; every sample of the batch gets its own random parameters.
enum class DsaFamily { Color, Crop, Cutout, Flip, Scale, Rotate };

// The random parameters of one augmentation, kept so that the very same augmentation can be
// applied again (the exact-gradient mode recomputes each student step). All tensors are [B]: draw()
// makes them on the CPU, and plan_student_steps moves them to the run's device once, so that the
// student steps copy nothing from the host.
struct DsaDraw {
    DsaFamily family = DsaFamily::Color;
    Tensor a, b, c;  // Color: brightness, saturation, contrast draws in [0,1). Crop: row and column
                     // shifts. Cutout: row and column offsets. Flip: u (flip where u < 0.5).
                     // Scale: x and y factors. Rotate: angle in radians (a only).
};

class Dsa {
public:
    // Families joined by '_', e.g. "color_crop_cutout_flip_scale_rotate"; "" or "none" turns DSA off.
    explicit Dsa(const std::string& strategy = "none");

    bool enabled() const { return !families_.empty(); }
    const std::string& strategy() const { return strategy_; }
    const std::vector<DsaFamily>& families() const { return families_; }

    // Draws a family and per-sample parameters for a batch of `batch` images of height x width.
    DsaDraw draw(std::int64_t batch, std::int64_t height, std::int64_t width, Rng& rng) const;
    // Applies a draw; differentiable in x. The draw's batch size must match x.
    Tensor apply(const Tensor& x, const DsaDraw& draw) const;
    // draw + apply; x unchanged when DSA is off.
    Tensor operator()(const Tensor& x, Rng& rng) const;

    // The reference recommendation: no flip for digits, flip for everything else (spec 1.1).
    static std::string default_strategy(const std::string& dataset_name);

private:
    std::string strategy_;
    std::vector<DsaFamily> families_;
};

std::string to_string(DsaFamily family);

}  // namespace distillery
