#include "workbench/view_records.h"

#include <torch/torch.h>

#include "distill/config.h"
#include "distill/run.h"
#include "eval/evaluate.h"

namespace distillery::ui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// The keys the hyperparameter panel shows; all of them can change between two steps.
const QStringList& panel_keys() {
    static const QStringList keys = {"lr_img",          "lr_lr",
                                     "lr_y",            "syn_steps",
                                     "expert_epochs",   "min_start_epoch",
                                     "max_start_epoch", "current_max_start_epoch",
                                     "expansion_end_epoch", "batch_syn",
                                     "threshold",       "lr_floor",
                                     "gradient_mode",   "Iteration",
                                     "eval_it"};
    return keys;
}

}  // namespace

StepPoint step_point(const StepRecord& r) {
    StepPoint p;
    p.iteration = r.iteration;
    p.loss = r.loss;
    p.lr = r.lr;
    p.start_epoch = r.start_epoch;
    p.syn_steps = r.syn_steps;
    p.mode = qs(r.mode);
    p.seconds = r.seconds;
    p.peak_bytes = r.peak_bytes;
    p.updated = r.updated;
    return p;
}

QVector<ChangeMark> change_marks(const std::vector<ChangeRecord>& changes) {
    QVector<ChangeMark> marks;
    marks.reserve(static_cast<qsizetype>(changes.size()));
    for (const auto& c : changes) marks.append({c.iteration, qs(c.key), qs(c.old_value), qs(c.new_value)});
    return marks;
}

MemoryPoint memory_point(const MemoryMeasurement& m) {
    MemoryPoint p;
    p.mode = qs(m.mode);
    p.syn_steps = m.syn_steps;
    p.peak_bytes = m.peak_bytes;
    p.seconds = m.seconds;
    return p;
}

EvalPoint eval_point(std::int64_t iteration, const EvalResult& r, const QString& what) {
    EvalPoint e;
    e.iteration = iteration;
    e.mean = r.mean;
    e.std = r.std;
    e.what = what;
    e.networks = static_cast<qint64>(r.accuracies.size());
    e.diverged = r.diverged;
    return e;
}

QMap<QString, QString> panel_values(const DistillConfig& c) {
    QMap<QString, QString> values;
    for (const auto& key : panel_keys()) values.insert(key, qs(c.get(key.toStdString())));
    for (const char* key : {"method", "label_mode", "sequential_generation"}) values.insert(key, qs(c.get(key)));
    return values;
}

SyntheticImages display_images(const at::Tensor& images, const at::Tensor& classes, const at::Tensor& targets,
                               const InputTransform& transform, const std::vector<std::string>& class_names,
                               const QString& label_kind, qint64 iteration) {
    const auto num_classes = static_cast<std::int64_t>(class_names.size());
    const auto pixels = transform.to_pixels(images).clamp(0, 1).to(torch::kFloat32).contiguous().cpu();
    const auto made_for = classes.to(torch::kCPU, torch::kInt32).contiguous();
    auto labels = targets;
    if (labels.dim() == 1) labels = torch::one_hot(labels.to(torch::kInt64), num_classes);
    labels = labels.to(torch::kCPU, torch::kFloat32).contiguous();
    SyntheticImages s;
    s.iteration = iteration;
    s.count = static_cast<int>(pixels.size(0));
    s.channels = static_cast<int>(pixels.size(1));
    s.height = static_cast<int>(pixels.size(2));
    s.width = static_cast<int>(pixels.size(3));
    s.pixels = QVector<float>(pixels.data_ptr<float>(), pixels.data_ptr<float>() + pixels.numel());
    s.classes = QVector<int>(made_for.data_ptr<int>(), made_for.data_ptr<int>() + made_for.numel());
    s.num_classes = static_cast<int>(num_classes);
    for (const auto& name : class_names) s.class_names << QString::fromStdString(name);
    s.label_probs = QVector<float>(labels.data_ptr<float>(), labels.data_ptr<float>() + labels.numel());
    s.label_kind = label_kind;
    return s;
}

SyntheticImages display_images(const DistillRun& run) {
    const auto& data = run.data();
    return display_images(run.images(), run.hard_labels(), run.label_targets(), data.transform, data.classes,
                          qs(to_string(run.config().labels)), run.iteration());
}

}  // namespace distillery::ui
