#include "workbench/view_records.h"

#include <torch/torch.h>

#include "distill/run.h"

namespace distillery::ui {

StepPoint step_point(const StepRecord& r) {
    StepPoint p;
    p.iteration = r.iteration;
    p.loss = r.loss;
    p.lr = r.lr;
    p.start_epoch = r.start_epoch;
    p.syn_steps = r.syn_steps;
    p.mode = QString::fromStdString(r.mode);
    p.seconds = r.seconds;
    p.peak_bytes = r.peak_bytes;
    p.updated = r.updated;
    return p;
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

}  // namespace distillery::ui
