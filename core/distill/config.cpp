#include "distill/config.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>

#include "augment/dsa.h"
#include "common/error.h"

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
    throw Error("unknown gradient mode '" + s + "' (use unrolled, tesla or exact)");
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

// The shortest text that reads back as exactly `v`, so that a configuration written with get()
// (a checkpoint, the record of changes) restores the same run.
std::string text_of(double v) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    std::string text;
    for (int digits = 6; digits <= 17; ++digits) {
        std::ostringstream s;
        s.precision(digits);
        s << v;
        text = s.str();
        if (std::strtod(text.c_str(), nullptr) == v) break;
    }
    return text;
}

double parse_double(const std::string& key, const std::string& v) {
    if (v == "inf" || v == "off" || v == "none") return std::numeric_limits<double>::infinity();
    if (v == "-inf") return -std::numeric_limits<double>::infinity();
    char* end = nullptr;
    errno = 0;
    const double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || errno == ERANGE || std::isnan(x))
        throw Error(key + " must be a number, not '" + v + "'");
    return x;
}

std::int64_t parse_int(const std::string& key, const std::string& v) {
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno == ERANGE) throw Error(key + " must be an integer, not '" + v + "'");
    return n;
}

bool parse_bool(const std::string& key, const std::string& v) {
    if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
    if (v == "false" || v == "no" || v == "off" || v == "0") return false;
    throw Error(key + " must be true or false, not '" + v + "'");
}

struct Field {
    std::function<std::string(const DistillConfig&)> get;
    std::function<void(DistillConfig&, const std::string&)> set;
};

template <class T>
Field number_field(T DistillConfig::*member, const std::string& key) {
    return {[member](const DistillConfig& c) {
                if constexpr (std::is_same_v<T, double>) return text_of(c.*member);
                else return std::to_string(c.*member);
            },
            [member, key](DistillConfig& c, const std::string& v) {
                if constexpr (std::is_same_v<T, double>) c.*member = parse_double(key, v);
                else c.*member = parse_int(key, v);
            }};
}

const std::map<std::string, Field>& fields() {
    static const std::map<std::string, Field> f = {
        {"method", {[](const DistillConfig& c) { return c.method; },
                    [](DistillConfig& c, const std::string& v) {
                        if (v != "mtt" && v != "tesla" && v != "datm")
                            throw Error("method must be mtt, tesla or datm, not '" + v + "'");
                        c.method = v;
                    }}},
        {"gradient_mode", {[](const DistillConfig& c) { return to_string(c.mode); },
                           [](DistillConfig& c, const std::string& v) { c.mode = gradient_mode_from(v); }}},
        {"label_mode", {[](const DistillConfig& c) { return to_string(c.labels); },
                        [](DistillConfig& c, const std::string& v) { c.labels = label_mode_from(v); }}},
        {"pix_init", {[](const DistillConfig& c) { return to_string(c.init); },
                      [](DistillConfig& c, const std::string& v) { c.init = image_init_from(v); }}},
        {"ipc", number_field(&DistillConfig::ipc, "ipc")},
        {"syn_steps", number_field(&DistillConfig::syn_steps, "syn_steps")},
        {"expert_epochs", number_field(&DistillConfig::expert_epochs, "expert_epochs")},
        {"min_start_epoch", number_field(&DistillConfig::min_start_epoch, "min_start_epoch")},
        {"max_start_epoch", number_field(&DistillConfig::max_start_epoch, "max_start_epoch")},
        {"sequential_generation",
         {[](const DistillConfig& c) { return std::string(c.sequential_generation ? "true" : "false"); },
          [](DistillConfig& c, const std::string& v) { c.sequential_generation = parse_bool("sequential_generation", v); }}},
        {"current_max_start_epoch", number_field(&DistillConfig::current_max_start_epoch, "current_max_start_epoch")},
        {"expansion_end_epoch", number_field(&DistillConfig::expansion_end_epoch, "expansion_end_epoch")},
        {"lr_img", number_field(&DistillConfig::lr_img, "lr_img")},
        {"lr_lr", number_field(&DistillConfig::lr_lr, "lr_lr")},
        {"lr_y", number_field(&DistillConfig::lr_y, "lr_y")},
        {"lr_teacher", number_field(&DistillConfig::lr_teacher, "lr_teacher")},
        {"momentum_img", number_field(&DistillConfig::momentum_img, "momentum_img")},
        {"momentum_lr", number_field(&DistillConfig::momentum_lr, "momentum_lr")},
        {"momentum_y", number_field(&DistillConfig::momentum_y, "momentum_y")},
        {"batch_syn", number_field(&DistillConfig::batch_syn, "batch_syn")},
        {"threshold", number_field(&DistillConfig::threshold, "threshold")},
        {"lr_floor", {[](const DistillConfig& c) { return text_of(c.lr_floor); },
                      [](DistillConfig& c, const std::string& v) {
                          c.lr_floor = (v == "off" || v == "none") ? -std::numeric_limits<double>::infinity()
                                                                   : parse_double("lr_floor", v);
                      }}},
        {"lr_max", {[](const DistillConfig& c) { return c.lr_max == 0 ? std::string("auto") : text_of(c.lr_max); },
                    [](DistillConfig& c, const std::string& v) { c.lr_max = v == "auto" ? 0 : parse_double("lr_max", v); }}},
        {"Iteration", number_field(&DistillConfig::iterations, "Iteration")},
        {"eval_it", number_field(&DistillConfig::eval_every, "eval_it")},
        {"dsa_strategy", {[](const DistillConfig& c) { return c.dsa_strategy; },
                          [](DistillConfig& c, const std::string& v) {
                              Dsa check(v);
                              c.dsa_strategy = v;
                          }}},
        {"tesla_cosine", {[](const DistillConfig& c) { return std::string(c.measure_tesla_cosine ? "true" : "false"); },
                          [](DistillConfig& c, const std::string& v) { c.measure_tesla_cosine = parse_bool("tesla_cosine", v); }}},
        {"seed", {[](const DistillConfig& c) { return std::to_string(c.seed); },
                  [](DistillConfig& c, const std::string& v) { c.seed = static_cast<std::uint64_t>(parse_int("seed", v)); }}},
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
    if (it == fields().end()) return "unknown hyperparameter '" + key + "'";
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
    if (ipc <= 0) return "ipc must be positive";
    if (syn_steps <= 0) return "syn_steps must be positive";
    if (expert_epochs <= 0) return "expert_epochs must be positive";
    if (min_start_epoch < 0) return "min_start_epoch must not be negative";
    if (max_start_epoch <= min_start_epoch) return "max_start_epoch must be greater than min_start_epoch";
    if (sequential_generation && (current_max_start_epoch <= min_start_epoch || current_max_start_epoch > max_start_epoch))
        return "current_max_start_epoch must lie in (min_start_epoch, max_start_epoch]";
    if (expansion_end_epoch <= 0) return "expansion_end_epoch must be positive";
    if (!positive(lr_img)) return "lr_img must be positive";
    if (!(lr_lr >= 0) || !std::isfinite(lr_lr)) return "lr_lr must not be negative";
    if (!(lr_y >= 0) || !std::isfinite(lr_y)) return "lr_y must not be negative";
    if (!positive(lr_teacher)) return "lr_teacher must be positive";
    for (double m : {momentum_img, momentum_lr, momentum_y})
        if (!(m >= 0 && m < 1)) return "momentum must lie in [0, 1)";
    if (batch_syn < 0) return "batch_syn must not be negative (0 means all images)";
    if (!(threshold > 0)) return "threshold must be positive (inf turns it off)";
    if (std::isnan(lr_floor) || lr_floor == std::numeric_limits<double>::infinity()) return "lr_floor must be a number";
    if (!(lr_max >= 0)) return "lr_max must be positive (auto: " + text_of(kAutoLrMaxFactor) + " x lr_teacher; inf: off)";
    if (lr_limit() < lr_teacher) return "lr_max must not be below lr_teacher";
    if (lr_limit() <= lr_floor) return "lr_max must be above lr_floor";
    if (iterations < 0) return "Iteration must not be negative";
    if (eval_every < 0) return "eval_it must not be negative";
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
    const std::string problem = c.validate();
    if (!problem.empty()) throw Error(s.source() + ": " + problem);
    return c;
}

}  // namespace distillery
