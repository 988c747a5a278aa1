#include "workbench/run_worker.h"

#include <torch/torch.h>

#include <QDir>
#include <QFileInfo>

#include <exception>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/runtime.h"
#include "distill/checkpoint.h"
#include "distill/run.h"
#include "distill/run_outputs.h"
#include "eval/evaluate.h"
#include "expert/expert_fit.h"
#include "expert/expert_trainer.h"
#include "expert/trajectory.h"
#include "workbench/view_records.h"

// What the worker thread does for each request (run_worker.cpp takes them): all of it runs on
// that thread, which alone touches the data, the experts and the run's tensors.

namespace distillery::ui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }
std::string ss(const QString& s) { return s.toStdString(); }

}  // namespace

void RunWorker::holdRunFolder(const QString& checkpoint) {
    const std::string folder = ss(QFileInfo(checkpoint).absolutePath());
    if (folder_lock_ && folder_lock_->dir() == folder) return;  // the current run's, already held
    // Taken before the previous one is let go: when this fails, the current run keeps its folder.
    auto lock = std::make_unique<FolderLock>(folder, "the Distillery workbench");
    folder_lock_ = std::move(lock);
}

bool RunWorker::ensurePrepared(bool train_missing) {
    RunSetup setup;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        setup = setup_;
    }
    if (!loadData(setup)) return false;
    const Settings s = setup.settings();
    const auto wanted = ExpertConfig::from_settings(s, data_->name).num_experts;
    if (ExpertStore(ss(experts_dir_)).count() >= wanted) return true;
    if (!train_missing) return true;
    return trainMissingExperts();
}

bool RunWorker::loadData(const RunSetup& setup) {
    const Settings s = setup.settings();
    // Reload only when what defines the data changed.
    QString key;
    for (const char* k : {"dataset", "train_per_class", "zca", "seed"}) key += qs(s.text(k, "")) + '|';
    const QString dir = setup.experts_dir.isEmpty() ? defaultExpertsDir(s) : setup.experts_dir;
    const std::string device = resolve_device("auto");
    const WorkerState before = state();
    const bool reload = !data_ || key != data_key_;
    if (reload) {
        setState(WorkerState::Loading, tr("Loading %1…").arg(qs(s.text("dataset", "fashion-mnist"))));
        data_ = std::make_shared<PreparedData>(prepare_from_settings(s, device));
        data_key_ = key;
    }
    experts_dir_ = dir;
    const auto expert_cfg = ExpertConfig::from_settings(s, data_->name);
    const auto have = ExpertStore(ss(dir)).count();
    const QString summary = tr("%1: %2 training and %3 test images of %4×%5×%6, %7 classes, %8")
                                .arg(qs(data_->name))
                                .arg(data_->train_x.size(0))
                                .arg(data_->test_x.size(0))
                                .arg(data_->channels())
                                .arg(data_->height())
                                .arg(data_->width())
                                .arg(data_->num_classes())
                                .arg(qs(data_->transform.describe()));
    Q_EMIT setupReady(summary, qs(device), dir, static_cast<int>(have), static_cast<int>(expert_cfg.num_experts));
    bool has_run;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        has_run = run_ != nullptr;
    }
    if (!has_run) setState(WorkerState::Ready);
    // A finished or stopped run stays as it was (it keeps the data it was made with).
    else if (reload) setState(before);
    return true;
}

bool RunWorker::trainMissingExperts() {
    const Settings s = [&] {
        std::unique_lock<std::mutex> lock(mutex_);
        return setup_.settings();
    }();
    const auto cfg = ExpertConfig::from_settings(s, data_->name);
    setState(WorkerState::TrainingExperts,
             tr("Training %1 experts × %2 epochs into %3").arg(cfg.num_experts).arg(cfg.train_epochs).arg(experts_dir_));
    const auto report = generate_experts(*data_, cfg, ss(experts_dir_), [&](const Progress& p) {
        Q_EMIT expertProgress(p.done, p.total, p.eta_s(), qs(p.detail));
        return !cancelled();
    });
    const auto have = ExpertStore(ss(experts_dir_)).count();
    Q_EMIT setupReady({}, {}, experts_dir_, static_cast<int>(have), static_cast<int>(cfg.num_experts));
    if (report.cancelled) {
        setState(WorkerState::Ready, tr("Expert training stopped; %1 complete experts kept").arg(have));
        return false;
    }
    Q_EMIT message(tr("Experts ready: %1 in %2").arg(have).arg(experts_dir_));
    setState(WorkerState::Ready);
    return true;
}

void RunWorker::createRun() {
    Settings s;
    QString root;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        s = next_settings_;
        root = setup_.runs_dir;
    }
    const auto cfg = DistillConfig::from_settings(s, data_->name);
    // Experts from a folder the user chose must be what the settings describe.
    check_experts_fit(ss(experts_dir_), *data_, ExpertConfig::from_settings(s, data_->name));
    // The folder first: one that cannot take files is found out before the run starts.
    const QString checkpoint = newRunCheckpointPath(root, qs(data_->name));
    holdRunFolder(checkpoint);
    auto run = std::make_shared<DistillRun>(data_, ss(experts_dir_), cfg);
    {
        std::unique_lock<std::mutex> lock(mutex_);
        run_ = run;
        iteration_ = 0;
        checkpoint_path_ = checkpoint;
    }
    run_settings_ = s;
    saved_iteration_ = -1;
    eval_rows_.clear();
    baselines_.clear();
    unsent_steps_.clear();
    since_steps_.start();
    since_images_.start();
    Q_EMIT runStarted(cfg.iterations, qs(run->memory_kind()));
    Q_EMIT message(tr("Run started: %1 iterations").arg(cfg.iterations));
    publishHyperparameters();
    publishImages();
}

void RunWorker::stepRun() {
    std::shared_ptr<DistillRun> run;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        run = run_;
    }
    if (!run) return;
    const auto rec = run->step();
    if (!rec.guard.empty()) {
        // The engine rolled the step back; the run pauses so nothing more is lost, and says why.
        {
            std::unique_lock<std::mutex> lock(mutex_);
            paused_ = true;
        }
        Q_EMIT message(tr("Iteration %1: %2. The run is paused at its last good state.")
                           .arg(rec.iteration)
                           .arg(qs(rec.guard)));
        publishSteps(true);
        saveCheckpoint();
        return;
    }
    unsent_steps_.append(step_point(rec));
    const auto cfg = run->config();
    const auto done = run->iteration();
    bool finished = false;
    int every;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        iteration_ = done;
        if (done >= cfg.iterations) {
            running_ = false;
            finished = true;
        }
        every = checkpoint_every_;
    }
    if (every > 0 && done % every == 0) saveCheckpoint();
    if (!rec.updated && rec.skip_reason != "loss above threshold")
        Q_EMIT message(tr("Iteration %1: %2; update skipped").arg(rec.iteration).arg(qs(rec.skip_reason)));
    publishSteps(false);
    {
        std::unique_lock<std::mutex> lock(mutex_);
        if (since_images_.elapsed() < images_interval_ms_ && !finished) return;
    }
    publishImages();
    if (!rec.updated) return;
    if (cfg.eval_every > 0 && done % cfg.eval_every == 0 && !finished) evaluate();
    if (finished) evaluate();
}

void RunWorker::publishSteps(bool force) {
    int interval;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        interval = steps_interval_ms_;
    }
    if (unsent_steps_.isEmpty() || (!force && since_steps_.elapsed() < interval)) return;
    std::shared_ptr<DistillRun> run;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        run = run_;
    }
    const QVector<ChangeMark> changes = change_marks(run->changes());
    const bool changed_now = !changes.isEmpty() && changes.back().iteration >= unsent_steps_.front().iteration;
    Q_EMIT stepsReady(unsent_steps_, changes, run->config().iterations);
    unsent_steps_.clear();
    since_steps_.restart();
    if (changed_now) publishHyperparameters();
}

void RunWorker::publishImages() {
    std::shared_ptr<DistillRun> run;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        run = run_;
    }
    if (!run) return;
    Q_EMIT imagesReady(display_images(*run));
    since_images_.restart();
}

void RunWorker::publishHyperparameters() { Q_EMIT hyperparametersChanged(hyperparameters()); }

void RunWorker::sweep(const QStringList& modes, const QVector<int>& steps) {
    std::shared_ptr<DistillRun> run;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        run = run_;
    }
    if (!run) {
        // A sweep needs a synthetic set and experts: make a run (not started) from the setup.
        if (!ensurePrepared(true)) {
            Q_EMIT sweepFinished();
            return;
        }
        createRun();
        std::unique_lock<std::mutex> lock(mutex_);
        run = run_;
    }
    const WorkerState before = state();
    setState(WorkerState::Busy, tr("Measuring memory against the number of student steps…"));
    const int total = static_cast<int>(modes.size() * steps.size());
    int done = 0;
    for (const auto& mode : modes) {
        for (const int n : steps) {
            if (cancelled()) break;
            Q_EMIT sweepPoint(memory_point(run->measure_memory(gradient_mode_from(ss(mode)), n)), ++done, total);
        }
    }
    Q_EMIT sweepFinished();
    setState(before);
}

namespace {

// The names the CLI's distill gives the baselines in its output and metrics.
QString baseline_name(const DistillRun& run, bool soft) {
    return soft ? QStringLiteral("random real, %1 soft labels").arg(qs(to_string(run.config().labels)))
                : QStringLiteral("random real, hard labels");
}

// Runs an evaluation job; its result, or nothing when the user stopped it (the engine ends a
// cancelled evaluation by throwing, which is not an error then).
std::optional<EvalResult> unless_stopped(std::int64_t networks, const std::function<bool()>& stopped,
                                         const std::function<void(const Progress&)>& report,
                                         const std::function<EvalResult(const ProgressFn&)>& job) {
    EvalResult result;
    try {
        result = job([&](const Progress& p) {
            report(p);
            return !stopped();
        });
    } catch (const std::exception&) {
        if (!stopped()) throw;
    }
    if (result.accuracies.size() != static_cast<size_t>(networks)) return std::nullopt;
    return result;
}

}  // namespace

void RunWorker::evaluate() {
    std::shared_ptr<DistillRun> run;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        run = run_;
    }
    if (!run) {
        Q_EMIT message(tr("Nothing to evaluate yet: start a run first"));
        return;
    }
    const WorkerState before = state();
    const auto cfg = EvalConfig::from_settings(run_settings_, data_->name);
    setState(WorkerState::Busy, tr("Evaluating: %1 networks × %2 epochs").arg(cfg.networks).arg(cfg.epochs));
    auto evaluated = [&](const QString& what, const std::function<EvalResult(const ProgressFn&)>& job) {
        return unless_stopped(
            cfg.networks, [this] { return cancelled(); },
            [&](const Progress& p) {
                Q_EMIT expertProgress(p.done, p.total, p.eta_s(), tr("evaluation (%1): %2").arg(what, qs(p.detail)));
            },
            job);
    };
    const auto it = run->iteration();
    const auto result = evaluated(tr("synthetic set"), [&](const ProgressFn& f) { return run->evaluate(cfg, f); });
    if (!result) {
        Q_EMIT message(tr("Evaluation stopped at iteration %1").arg(it));
        setState(before);
        return;
    }
    eval_rows_.push_back(eval_row("synthetic", it, *result));
    const EvalPoint e = eval_point(it, *result, QStringLiteral("synthetic"));
    QString summary = tr("Iteration %1: the synthetic set scores %2").arg(e.iteration).arg(qs(result->summary()));
    Q_EMIT evaluationReady(e, summary);
    // The baselines once per run: a random real subset of the same size with hard labels and,
    // with soft labels, with the same kind of soft labels (soft labels alone lift a random subset).
    if (baselines_.isEmpty()) {
        for (const bool soft : {false, true}) {
            if (soft && run->config().labels == LabelMode::Hard) break;
            const QString what = baseline_name(*run, soft);
            const auto baseline =
                evaluated(what, [&](const ProgressFn& f) { return run->evaluate_random_real(cfg, soft, f); });
            if (!baseline) break;
            baselines_.append(eval_point(it, *baseline, what));
            eval_rows_.push_back(eval_row(ss(what), it, *baseline));
        }
    }
    for (EvalPoint b : std::as_const(baselines_)) {
        b.iteration = it;  // the same subset and labels: drawn at every evaluation, a level line
        Q_EMIT evaluationReady(b, {});
        summary += tr("; %1: %2 ± %3 %").arg(b.what).arg(100 * b.mean, 0, 'f', 2).arg(100 * b.std, 0, 'f', 2);
    }
    QString path;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        path = checkpoint_path_;
    }
    if (!path.isEmpty() && QFileInfo::exists(path)) updateRunFolder(*run, path);
    Q_EMIT message(summary);
    setState(before);
}

void RunWorker::crossEvaluate(const QStringList& archs, bool baselines) {
    std::shared_ptr<DistillRun> run;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        run = run_;
    }
    if (!run) {
        Q_EMIT message(tr("Nothing to evaluate yet: start a run first"));
        Q_EMIT crossEvaluationFinished(false);
        return;
    }
    const WorkerState before = state();
    auto cfg = EvalConfig::from_settings(run_settings_, data_->name);
    const auto it = run->iteration();
    bool complete = true;
    for (const QString& arch : archs) {
        cfg.arch = ss(arch);
        std::vector<std::pair<QString, std::function<EvalResult(const ProgressFn&)>>> subjects = {
            {QStringLiteral("synthetic"), [&](const ProgressFn& f) { return run->evaluate(cfg, f); }}};
        if (baselines)
            for (const bool soft : {false, true})
                if (!soft || run->config().labels != LabelMode::Hard)
                    subjects.push_back({baseline_name(*run, soft), [&, soft](const ProgressFn& f) {
                                            return run->evaluate_random_real(cfg, soft, f);
                                        }});
        for (const auto& [what, job] : subjects) {
            setState(WorkerState::Busy, tr("Evaluating on %1: %2").arg(arch, what));
            const auto result = unless_stopped(
                cfg.networks, [this] { return cancelled(); },
                [&](const Progress& p) {
                    Q_EMIT expertProgress(p.done, p.total, p.eta_s(), tr("%1, %2: %3").arg(arch, what, qs(p.detail)));
                },
                job);
            if (!result) {
                complete = false;
                break;
            }
            auto row = eval_row(ss(what), it, *result);
            row.emplace_back("arch", ss(arch));
            eval_rows_.push_back(row);
            Q_EMIT crossEvaluationReady(arch, eval_point(it, *result, what));
        }
        if (!complete) break;
    }
    QString path;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        path = checkpoint_path_;
    }
    if (!path.isEmpty() && QFileInfo::exists(path)) updateRunFolder(*run, path);
    Q_EMIT message(complete ? tr("Iteration %1: evaluated on %2").arg(it).arg(archs.join(QStringLiteral(", ")))
                            : tr("Evaluation on other networks stopped at iteration %1").arg(it));
    Q_EMIT crossEvaluationFinished(complete);
    setState(before);
}

void RunWorker::saveCheckpoint() {
    std::shared_ptr<DistillRun> run;
    QString path;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        run = run_;
        path = checkpoint_path_;
    }
    if (!run || path.isEmpty() || run->iteration() == saved_iteration_) return;
    try {
        QDir().mkpath(QFileInfo(path).absolutePath());
        save_checkpoint(*run, run_settings_.to_text(), ss(experts_dir_), ss(path));
        saved_iteration_ = run->iteration();
        Q_EMIT checkpointSaved(path, saved_iteration_);
    } catch (const std::exception& e) {
        // The previous checkpoint is still there (the write is atomic); the run is not touched.
        Q_EMIT message(tr("Checkpoint not saved: %1. The run goes on; the last checkpoint is kept.").arg(qs(e.what())));
        return;
    }
    updateRunFolder(*run, path);
}

void RunWorker::updateRunFolder(const DistillRun& run, const QString& checkpoint) {
    try {
        writeRunFiles(run, run_settings_.to_text(), eval_rows_, checkpoint);
    } catch (const std::exception& e) {
        Q_EMIT message(tr("The run folder's files were not updated: %1. The run goes on.").arg(qs(e.what())));
    }
}

void RunWorker::openSavedRun(const QString& path) {
    CheckpointInfo info;
    try {
        info = read_checkpoint_info(ss(path));
    } catch (const std::exception& e) {
        Q_EMIT message(tr("Cannot open %1: %2").arg(path, qs(e.what())));
        return;
    }
    RunSetup setup;
    bool refused = false;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        refused = running_;
        if (!refused) {
            setup_.settings_text = qs(info.settings_text);
            setup_.overrides.clear();
            setup_.preset.clear();
            setup_.experts_dir = qs(info.experts_dir);
            next_settings_ = setup_.settings();
            setup = setup_;
        }
    }
    if (refused) {
        Q_EMIT message(tr("Stop the current run before opening another one."));
        return;
    }
    if (!loadData(setup)) return;
    // The opened run goes on saving into its folder, so no other run may be writing it.
    holdRunFolder(path);
    const auto run = std::shared_ptr<DistillRun>(resume_run(ss(path), data_, ss(experts_dir_)));
    {
        std::unique_lock<std::mutex> lock(mutex_);
        run_ = run;
        iteration_ = run->iteration();
        running_ = run->iteration() < run->config().iterations;
        paused_ = true;
        checkpoint_path_ = path;  // the opened run goes on saving where it was
    }
    run_settings_ = setup.settings();
    saved_iteration_ = run->iteration();
    eval_rows_.clear();
    baselines_.clear();
    unsent_steps_.clear();
    for (const auto& r : run->history()) unsent_steps_.append(step_point(r));
    since_steps_.start();
    since_images_.start();
    Q_EMIT runOpened(path, setup.settings_text, experts_dir_);
    Q_EMIT runStarted(run->config().iterations, qs(run->memory_kind()));
    publishSteps(true);
    publishHyperparameters();
    publishImages();
    Q_EMIT message(tr("Opened %1 at iteration %2 of %3").arg(path).arg(run->iteration()).arg(run->config().iterations));
    setState(run->iteration() < run->config().iterations ? WorkerState::Paused : WorkerState::Finished);
}

}  // namespace distillery::ui
