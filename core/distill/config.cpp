#include "distill/config.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <functional>
#include <map>

#include "augment/dsa.h"
#include "common/error.h"
#include "common/engine_messages.h"
#include "common/message.h"
#include "common/numbers.h"

namespace distillery {

std::string to_string(GradientMode m) {
    switch (m) {
        case GradientMode::Unrolled: return "unrolled";
        case GradientMode::Tesla: return "tesla";
        case GradientMode::Exact: return "exact";
    }
    return "?";
}

std::string to_string(LabelMode m) {
    switch (m) {
        case LabelMode::Hard: return "hard";
        case LabelMode::Teacher: return "teacher";
        case LabelMode::Learned: return "learned";
    }
    return "?";
}

std::string to_string(ImageInit m) {
    switch (m) {
        case ImageInit::Real: return "real";
        case ImageInit::Noise: return "noise";
        case ImageInit::Correct: return "correct";
    }
    return "?";
}

GradientMode gradient_mode_from(const std::string& s) {
    for (auto m : {GradientMode::Unrolled, GradientMode::Tesla, GradientMode::Exact})
        if (s == to_string(m)) return m;
    throw Error(message(engine_messages::kUnknownGradientMode, {s}));
}

LabelMode label_mode_from(const std::string& s) {
    for (auto m : {LabelMode::Hard, LabelMode::Teacher, LabelMode::Learned})
        if (s == to_string(m)) return m;
    throw Error("unknown label mode '" + s + "' (use hard, teacher or learned)");
}

ImageInit image_init_from(const std::string& s) {
    if (s == "samples_predicted_correctly") return ImageInit::Correct;
    for (auto m : {ImageInit::Real, ImageInit::Noise, ImageInit::Correct})
        if (s == to_string(m)) return m;
    throw Error("unknown image initialisation '" + s + "' (use real, noise or correct)");
}

namespace {

double parse_real(const std::string& key, const std::string& v) {
    if (v == "inf" || v == "off" || v == "none") return std::numeric_limits<double>::infinity();
    if (v == "-inf") return -std::numeric_limits<double>::infinity();
    const auto x = parse_double(v);
    if (!x || std::isnan(*x)) throw Error(message(engine_messages::kNotANumber, {key, v}));
    return *x;
}

std::int64_t parse_integer(const std::string& key, const std::string& v) {
    const auto n = parse_int(v);
    if (!n) throw Error(message(engine_messages::kNotAnInteger, {key, v}));
    return *n;
}

bool parse_bool(const std::string& key, const std::string& v) {
    if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
    if (v == "false" || v == "no" || v == "off" || v == "0") return false;
    throw Error(message(engine_messages::kNotTrueOrFalse, {key, v}));
}

// The sane range of a value that a person types, mid-run included. Beyond it a run would take
// days or terabytes per step (syn_steps = 10^8) or overflow the images at the first update, so it
// is refused with the range instead of starting.
struct Range {
    double lowest, highest;
};

template <class T>
void check_range(const std::string& key, T v, Range range) {
    if (static_cast<double>(v) >= range.lowest && static_cast<double>(v) <= range.highest) return;
    const auto text = [](double bound) {
        return std::is_integral_v<T> ? std::to_string(static_cast<std::int64_t>(bound)) : format_double(bound);
    };
    const std::string value = std::is_integral_v<T> ? std::to_string(v) : format_double(static_cast<double>(v));
    if (std::isinf(range.lowest))
        throw Error(message(engine_messages::kAtMost, {key, text(range.highest), value}));
    throw Error(message(engine_messages::kBetween,
                        {key, text(range.lowest), text(range.highest), value}));
}

struct Field {
    std::function<std::string(const DistillConfig&)> get;
    std::function<void(DistillConfig&, const std::string&)> set;
};

// Infinity passes a range whose upper end is infinite (threshold = inf turns DATM's skip off).
template <class T>
Field number_field(T DistillConfig::*member, const std::string& key, Range range) {
    return {[member](const DistillConfig& c) {
                // The shortest text that reads back as exactly the value, so that a configuration
                // written with get() (a checkpoint, the record of changes) restores the same run.
                if constexpr (std::is_same_v<T, double>) return format_double(c.*member);
                else return std::to_string(c.*member);
            },
            [member, key, range](DistillConfig& c, const std::string& v) {
                T parsed;
                if constexpr (std::is_same_v<T, double>) parsed = parse_real(key, v);
                else parsed = parse_integer(key, v);
                check_range(key, parsed, range);
                c.*member = parsed;
            }};
}

constexpr double kInf = std::numeric_limits<double>::infinity();
// Larger than any schedule of the papers (5,000-10,000 iterations, 80 student steps, 50-100
// expert epochs, 1,000 images per class), small enough to refuse a typo with extra zeros.
constexpr Range kCount{1, 1e4};
constexpr Range kIterations{0, 1e7};
constexpr Range kEpochs{0, 1e5};
constexpr Range kAnyNumber{-kInf, kInf};  // momenta and the threshold: validate() checks them

const std::map<std::string, Field>& fields() {
    static const std::map<std::string, Field> f = {
        {"method", {[](const DistillConfig& c) { return c.method; },
                    [](DistillConfig& c, const std::string& v) {
                        if (v != "mtt" && v != "tesla" && v != "datm")
                            throw Error(message(engine_messages::kUnknownMethod, {v}));
                        c.method = v;
                    }}},
        {"gradient_mode", {[](const DistillConfig& c) { return to_string(c.mode); },
                           [](DistillConfig& c, const std::string& v) { c.mode = gradient_mode_from(v); }}},
        {"label_mode", {[](const DistillConfig& c) { return to_string(c.labels); },
                        [](DistillConfig& c, const std::string& v) { c.labels = label_mode_from(v); }}},
        {"pix_init", {[](const DistillConfig& c) { return to_string(c.init); },
                      [](DistillConfig& c, const std::string& v) { c.init = image_init_from(v); }}},
        {"ipc", number_field(&DistillConfig::ipc, "ipc", kCount)},
        {"syn_steps", number_field(&DistillConfig::syn_steps, "syn_steps", kCount)},
        {"expert_epochs", number_field(&DistillConfig::expert_epochs, "expert_epochs", kCount)},
        {"min_start_epoch", number_field(&DistillConfig::min_start_epoch, "min_start_epoch", kEpochs)},
        {"max_start_epoch", number_field(&DistillConfig::max_start_epoch, "max_start_epoch", kEpochs)},
        {"sequential_generation",
         {[](const DistillConfig& c) { return std::string(c.sequential_generation ? "true" : "false"); },
          [](DistillConfig& c, const std::string& v) { c.sequential_generation = parse_bool("sequential_generation", v); }}},
        {"current_max_start_epoch", number_field(&DistillConfig::current_max_start_epoch, "current_max_start_epoch", kEpochs)},
        {"expansion_end_epoch", number_field(&DistillConfig::expansion_end_epoch, "expansion_end_epoch", Range{1, 1e7})},
        {"lr_img", number_field(&DistillConfig::lr_img, "lr_img", Range{-kInf, 1e9})},
        {"lr_lr", number_field(&DistillConfig::lr_lr, "lr_lr", Range{-kInf, 1})},
        {"lr_y", number_field(&DistillConfig::lr_y, "lr_y", Range{-kInf, 1e4})},
        {"lr_teacher", number_field(&DistillConfig::lr_teacher, "lr_teacher", Range{-kInf, 100})},
        {"momentum_img", number_field(&DistillConfig::momentum_img, "momentum_img", kAnyNumber)},
        {"momentum_lr", number_field(&DistillConfig::momentum_lr, "momentum_lr", kAnyNumber)},
        {"momentum_y", number_field(&DistillConfig::momentum_y, "momentum_y", kAnyNumber)},
        {"batch_syn", number_field(&DistillConfig::batch_syn, "batch_syn", Range{0, 1e6})},
        {"threshold", number_field(&DistillConfig::threshold, "threshold", kAnyNumber)},
        {"lr_floor", {[](const DistillConfig& c) { return format_double(c.lr_floor); },
                      [](DistillConfig& c, const std::string& v) {
                          c.lr_floor = (v == "off" || v == "none") ? -std::numeric_limits<double>::infinity()
                                                                   : parse_real("lr_floor", v);
                      }}},
        {"lr_max", {[](const DistillConfig& c) { return c.lr_max == 0 ? std::string("auto") : format_double(c.lr_max); },
                    [](DistillConfig& c, const std::string& v) { c.lr_max = v == "auto" ? 0 : parse_real("lr_max", v); }}},
        {"Iteration", number_field(&DistillConfig::iterations, "Iteration", kIterations)},
        {"eval_it", number_field(&DistillConfig::eval_every, "eval_it", kIterations)},
        {"dsa_strategy", {[](const DistillConfig& c) { return c.dsa_strategy; },
                          [](DistillConfig& c, const std::string& v) {
                              Dsa check(v);
                              c.dsa_strategy = v;
                          }}},
        {"tesla_cosine", {[](const DistillConfig& c) { return std::string(c.measure_tesla_cosine ? "true" : "false"); },
                          [](DistillConfig& c, const std::string& v) { c.measure_tesla_cosine = parse_bool("tesla_cosine", v); }}},
        {"seed", {[](const DistillConfig& c) { return std::to_string(c.seed); },
                  [](DistillConfig& c, const std::string& v) { c.seed = static_cast<std::uint64_t>(parse_integer("seed", v)); }}},
    };
    return f;
}

}  // namespace

const std::vector<std::string>& DistillConfig::keys() {
    static const std::vector<std::string> k = [] {
        std::vector<std::string> out;
        for (const auto& [key, field] : fields()) out.push_back(key);
        return out;
    }();
    return k;
}

std::string DistillConfig::get(const std::string& key) const {
    const auto it = fields().find(key);
    if (it == fields().end()) throw Error("unknown hyperparameter '" + key + "'");
    return it->second.get(*this);
}

std::string DistillConfig::apply(const std::string& key, const std::string& value) {
    const auto it = fields().find(key);
    if (it == fields().end()) return message(engine_messages::kUnknownHyperparameter, {key});
    DistillConfig candidate = *this;
    try {
        it->second.set(candidate, value);
    } catch (const Error& e) {
        return e.what();
    }
    const std::string problem = candidate.validate();
    if (!problem.empty()) return problem;
    *this = candidate;
    return "";
}

std::string DistillConfig::validate() const {
    auto positive = [](double v) { return v > 0 && std::isfinite(v); };
    auto must_be_positive = [](const char* key) { return message(engine_messages::kPositive, {key}); };
    auto must_not_be_negative = [](const char* key) { return message(engine_messages::kNotNegative, {key}); };
    if (ipc <= 0) return must_be_positive("ipc");
    if (syn_steps <= 0) return must_be_positive("syn_steps");
    if (expert_epochs <= 0) return must_be_positive("expert_epochs");
    if (min_start_epoch < 0) return must_not_be_negative("min_start_epoch");
    if (max_start_epoch <= min_start_epoch) return message(engine_messages::kStartWindowEmpty);
    if (sequential_generation && (current_max_start_epoch <= min_start_epoch || current_max_start_epoch > max_start_epoch))
        return message(engine_messages::kGrowingWindowOutside,
                       {std::to_string(min_start_epoch), std::to_string(max_start_epoch), std::to_string(current_max_start_epoch)});
    if (expansion_end_epoch <= 0) return must_be_positive("expansion_end_epoch");
    if (!positive(lr_img)) return must_be_positive("lr_img");
    if (!(lr_lr >= 0) || !std::isfinite(lr_lr)) return must_not_be_negative("lr_lr");
    if (!(lr_y >= 0) || !std::isfinite(lr_y)) return must_not_be_negative("lr_y");
    if (!positive(lr_teacher)) return must_be_positive("lr_teacher");
    for (double m : {momentum_img, momentum_lr, momentum_y})
        if (!(m >= 0 && m < 1)) return message(engine_messages::kMomentum);
    if (batch_syn < 0) return message(engine_messages::kBatchSynNegative);
    if (!(threshold > 0)) return message(engine_messages::kThreshold);
    if (std::isnan(lr_floor) || lr_floor == std::numeric_limits<double>::infinity())
        return message(engine_messages::kNotANumber, {"lr_floor", format_double(lr_floor)});
    if (lr_floor != -std::numeric_limits<double>::infinity() && !(lr_floor > 0))
        return message(engine_messages::kLrFloorPositive);
    if (!(lr_max >= 0))
        return message(engine_messages::kLrMaxPositive, {format_double(kAutoLrMaxFactor)});
    if (lr_limit() < lr_teacher) return message(engine_messages::kLrMaxBelowTeacher);
    if (lr_limit() <= lr_floor) return message(engine_messages::kLrMaxNotAboveFloor);
    if (iterations < 0) return must_not_be_negative("Iteration");
    if (eval_every < 0) return must_not_be_negative("eval_it");
    return "";
}

DistillConfig DistillConfig::from_settings(const Settings& s, const std::string& dataset_name) {
    DistillConfig c;
    c.dsa_strategy = Dsa::default_strategy(dataset_name);
    // The method names a family of defaults; explicit keys in the settings override them.
    const std::string method = s.text("method", "mtt");
    const std::string problem_method = c.apply("method", method);
    if (!problem_method.empty()) throw Error(s.source() + ": " + problem_method);
    if (method == "tesla") {
        c.mode = GradientMode::Tesla;
        c.labels = LabelMode::Teacher;
    } else if (method == "datm") {
        c.labels = LabelMode::Learned;
        c.init = ImageInit::Correct;
        c.sequential_generation = true;
        c.threshold = 1.0;
        c.syn_steps = 80;
        c.max_start_epoch = 20;
        c.current_max_start_epoch = 10;
    }
    // Apply keys one at a time without validating in between: a preset may change several
    // fields that only make sense together. Validate once at the end.
    for (const auto& key : s.keys()) {
        const auto it = fields().find(key);
        if (it == fields().end()) continue;  // experts/eval/data keys live in the same preset
        try {
            it->second.set(c, s.text(key));
        } catch (const Error& e) {
            throw Error(s.source() + ": " + e.what());
        }
    }
    // DATM's window where the settings do not give it (a preset made for MTT, switched to DATM):
    // it opens at half the start epochs the preset allows and reaches all of them half-way through
    // the run, as DATM's own configs do relative to their schedules.
    if (c.sequential_generation && !s.has("current_max_start_epoch"))
        c.current_max_start_epoch = std::clamp(c.max_start_epoch / 2, c.min_start_epoch + 1, std::max(c.max_start_epoch, c.min_start_epoch + 1));
    if (c.sequential_generation && !s.has("expansion_end_epoch"))
        c.expansion_end_epoch = std::max<std::int64_t>(1, c.iterations / 2);
    const std::string problem = c.validate();
    if (!problem.empty()) throw Error(s.source() + ": " + problem);
    return c;
}

}  // namespace distillery
