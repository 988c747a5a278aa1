#include "distill/run_outputs.h"

#include <torch/torch.h>

#include <filesystem>

#include "common/atomic_file.h"
#include "distill/run.h"
#include "distill/synthetic_set.h"
#include "eval/evaluate.h"

namespace distillery {

MetricsLog::Row step_row(const StepRecord& r) {
    MetricsLog::Row row{{"kind", "step"},
                        {"iteration", std::to_string(r.iteration)},
                        {"loss", number(r.loss)},
                        {"lr", number(r.lr)},
                        {"expert", std::to_string(r.expert)},
                        {"start_epoch", std::to_string(r.start_epoch)},
                        {"upper_bound", std::to_string(r.upper_bound)},
                        {"mode", r.mode},
                        {"syn_steps", std::to_string(r.syn_steps)},
                        {"grad_norm_images", number(r.grad_norm_images)},
                        {"grad_lr", number(r.grad_lr)},
                        {"grad_norm_labels", number(r.grad_norm_labels)},
                        {"seconds", number(r.seconds)},
                        {"peak_bytes", std::to_string(r.peak_bytes)},
                        {"memory_kind", r.memory_kind},
                        {"updated", r.updated ? "1" : "0"},
                        {"skip_reason", r.skip_reason},
                        {"guard", r.guard}};
    if (r.has_tesla_cosine) row.emplace_back("tesla_cosine", number(r.tesla_cosine));
    if (r.distributed) row.emplace_back("allreduce_seconds", number(r.allreduce_seconds));
    return row;
}

MetricsLog::Row eval_row(const std::string& what, std::int64_t iteration, const EvalResult& r) {
    return {{"kind", "eval"},
            {"set", what},
            {"iteration", std::to_string(iteration)},
            {"networks", std::to_string(r.accuracies.size())},
            {"accuracy_mean", number(r.mean)},
            {"accuracy_std", number(r.std)},
            {"diverged", std::to_string(r.diverged)},
            {"seconds", number(r.seconds)}};
}

void write_synthetic_and_settings(const DistillRun& run, const std::string& settings_text, const std::string& folder) {
    const auto& cfg = run.config();
    const auto& data = run.data();
    SyntheticSet set;
    set.images = run.images();
    set.labels = run.label_targets();
    set.lr = run.lr();
    set.info = {{"dataset", data.name},
                {"transform", data.transform.describe()},
                {"net", run.net().spec().describe()},
                {"method", cfg.method},
                {"gradient_mode", to_string(cfg.mode)},
                {"label_mode", to_string(cfg.labels)},
                {"ipc", std::to_string(cfg.ipc)},
                {"classes", std::to_string(data.num_classes())},
                {"iteration", std::to_string(run.iteration())}};
    const std::filesystem::path dir(folder);
    save_synthetic_set((dir / kSyntheticName).string(), set);
    write_file_atomically((dir / kSettingsName).string(),
                          [&](std::ostream& f) { f << "# the settings of this run\n" << settings_text; });
}

}  // namespace distillery
