#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "config/settings.h"

namespace distillery {

// How the gradient of the matching loss is computed (spec 5.3, 7, 12).
enum class GradientMode {
    Unrolled,  // MTT: back-propagation through all N student steps; memory grows with N
    Tesla,     // TESLA's released code: constant memory, first-order (cross-step terms dropped)
    Exact,     // ours: the adjoint method, one step recomputed at a time; equals Unrolled
};

// What the student is trained towards on the synthetic images.
enum class LabelMode {
    Hard,     // MTT: the class of each image, fixed
    Teacher,  // TESLA's soft label assignment: softmax of the target expert's logits, every step
    Learned,  // DATM: learnable logits initialised from the experts, softmax inside the loss
};

// How the synthetic images start.
enum class ImageInit {
    Real,     // random real images of each class (MTT's default)
    Noise,    // standard normal noise
    Correct,  // real images an expert classifies correctly (DATM's samples_predicted_correctly)
};

std::string to_string(GradientMode m);
std::string to_string(LabelMode m);
std::string to_string(ImageInit m);
GradientMode gradient_mode_from(const std::string& s);  // throws Error on an unknown name
LabelMode label_mode_from(const std::string& s);
ImageInit image_init_from(const std::string& s);

// Every hyperparameter of a distillation run, with the reference code's names as setting keys.
struct DistillConfig {
    std::string method = "mtt";  // mtt, tesla or datm: only a name; the fields below decide
    GradientMode mode = GradientMode::Unrolled;
    LabelMode labels = LabelMode::Hard;
    ImageInit init = ImageInit::Real;
    std::int64_t ipc = 10;
    std::int64_t syn_steps = 20;        // N: student steps per iteration
    std::int64_t expert_epochs = 2;     // M: the target is start + M
    std::int64_t min_start_epoch = 0;
    std::int64_t max_start_epoch = 20;  // start epoch drawn from [min, max - 1]
    // DATM's difficulty-aligned window: the upper bound grows linearly from
    // current_max_start_epoch to max_start_epoch over expansion_end_epoch iterations.
    bool sequential_generation = false;
    std::int64_t current_max_start_epoch = 10;
    std::int64_t expansion_end_epoch = 3000;
    double lr_img = 1000;
    double lr_lr = 1e-5;
    double lr_y = 2.0;                  // learned labels (DATM)
    double lr_teacher = 0.01;           // the student lr alpha starts here
    double momentum_img = 0.5;
    double momentum_lr = 0.5;
    double momentum_y = 0.9;
    std::int64_t batch_syn = 0;         // 0: all synthetic images in every student step
    double threshold = std::numeric_limits<double>::infinity();  // DATM: skip updates above it
    double lr_floor = -std::numeric_limits<double>::infinity();  // keep alpha >= this
    // The guard against a diverging alpha: a step that takes alpha above this is rolled back.
    // 0 ("auto") means kAutoLrMaxFactor x lr_teacher; infinity turns the guard off.
    double lr_max = 0;
    // alpha = 1000 x the experts' lr makes one student step as large as a thousand expert steps;
    // SGD on these networks diverges long before that, so a learned lr there has run away, while
    // the lrs that MTT, TESLA and DATM learn stay within a small multiple of lr_teacher.
    static constexpr double kAutoLrMaxFactor = 1000;
    std::int64_t iterations = 5000;
    std::int64_t eval_every = 0;        // 0: evaluate only at the end
    std::string dsa_strategy = "color_crop_cutout_flip_scale_rotate";
    bool measure_tesla_cosine = false;  // also compute TESLA's and the exact image gradient
    std::uint64_t seed = 0;

    // Keys: method, gradient_mode, label_mode, pix_init, ipc, syn_steps, expert_epochs,
    // min_start_epoch, max_start_epoch, sequential_generation, current_max_start_epoch,
    // expansion_end_epoch, lr_img, lr_lr, lr_y, lr_teacher, momentum_img, momentum_lr, momentum_y,
    // batch_syn, threshold, lr_floor, lr_max, Iteration, eval_it, dsa_strategy, tesla_cosine, seed.
    static DistillConfig from_settings(const Settings& s, const std::string& dataset_name);
    // Sets one hyperparameter from text; returns an error message ("" when accepted). Nothing
    // changes when the value is refused.
    std::string apply(const std::string& key, const std::string& value);
    // "" when every field is consistent, else what is wrong.
    std::string validate() const;
    // The value of a key as text (for the record of changes, for display and for checkpoints):
    // numbers in the fewest digits that read back as the same double.
    std::string get(const std::string& key) const;
    // The largest learned lr the run accepts: lr_max, or kAutoLrMaxFactor x lr_teacher when auto.
    double lr_limit() const { return lr_max > 0 ? lr_max : kAutoLrMaxFactor * lr_teacher; }
    // The keys apply() accepts.
    static const std::vector<std::string>& keys();
};

}  // namespace distillery
