#include "workbench/run_worker.h"

#include <torch/torch.h>

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QMutexLocker>
#include <QStandardPaths>

#include <algorithm>
#include <cmath>
#include <exception>
#include <utility>

#include "common/error.h"
#include "common/runtime.h"
#include "distill/checkpoint.h"
#include "distill/run.h"
#include "distill/run_outputs.h"
#include "eval/evaluate.h"
#include "expert/expert_trainer.h"
#include "expert/trajectory.h"
#include "workbench/view_records.h"

namespace distillery::ui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }
std::string ss(const QString& s) { return s.toStdString(); }

// The synthetic set as the views show it: back in pixel space, clamped, with its labels.
SyntheticImages to_display(const DistillRun& run) {
    const auto& data = run.data();
    return display_images(run.images(), run.hard_labels(), run.label_targets(), data.transform, data.classes,
                          qs(to_string(run.config().labels)), run.iteration());
}

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

// The panel's fields, and what decides which of them the method uses.
QMap<QString, QString> panel_values(const DistillConfig& c) {
    QMap<QString, QString> values;
    for (const auto& key : panel_keys()) values.insert(key, qs(c.get(ss(key))));
    for (const char* key : {"method", "label_mode", "sequential_generation"}) values.insert(key, qs(c.get(key)));
    return values;
}

}  // namespace

QString defaultRunsDir() { return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/runs"; }

QString defaultExpertsDir(const Settings& s) {
    // The CLI's default is relative to where it runs (runs/experts/<key>); a desktop launcher
    // starts in $HOME, so the workbench keeps experts beside its runs, under the same key.
    const QString key = QFileInfo(qs(default_experts_dir(s))).fileName();
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/experts/" + key;
}

Settings RunSetup::settings() const {
    Settings s = settings_text.isEmpty() ? load_preset(ss(preset)) : Settings::parse(ss(settings_text), "the saved run");
    for (const auto& a : overrides) s.assign(ss(a));
    return s;
}

QString describe(WorkerState s) {
    switch (s) {
    case WorkerState::Idle: return RunWorker::tr("Idle");
    case WorkerState::Loading: return RunWorker::tr("Loading data");
    case WorkerState::TrainingExperts: return RunWorker::tr("Training experts");
    case WorkerState::Ready: return RunWorker::tr("Ready");
    case WorkerState::Running: return RunWorker::tr("Running");
    case WorkerState::Stepping: return RunWorker::tr("Stepping once…");
    case WorkerState::Paused: return RunWorker::tr("Paused");
    case WorkerState::Finished: return RunWorker::tr("Finished");
    case WorkerState::Busy: return RunWorker::tr("Busy");
    }
    return {};
}

RunWorker::RunWorker(QObject* parent) : QThread(parent) {
    qRegisterMetaType<StepPoint>();
    qRegisterMetaType<ChangeMark>();
    qRegisterMetaType<EvalPoint>();
    qRegisterMetaType<MemoryPoint>();
    qRegisterMetaType<SyntheticImages>();
    qRegisterMetaType<QVector<StepPoint>>();
    qRegisterMetaType<QVector<ChangeMark>>();
    qRegisterMetaType<QMap<QString, QString>>();
    next_settings_ = setup_.settings();
}

RunWorker::~RunWorker() {
    {
        QMutexLocker lock(&mutex_);
        abort_ = true;
        cancel_ = true;
        wake_.wakeOne();
    }
    wait();
}

void RunWorker::enqueue(Job job) {
    jobs_.append(std::move(job));
    if (!isRunning()) QThread::start(QThread::LowPriority);
    wake_.wakeOne();
}

void RunWorker::prepare(const RunSetup& setup) {
    const Settings s = setup.settings();  // throws on a bad preset before anything is queued
    QMutexLocker lock(&mutex_);
    setup_ = setup;
    next_settings_ = s;
    enqueue({Request::Prepare, setup, {}, {}, {}});
}

void RunWorker::trainExperts() {
    QMutexLocker lock(&mutex_);
    cancel_ = false;
    enqueue({Request::TrainExperts, setup_, {}, {}, {}});
}

void RunWorker::start() {
    QMutexLocker lock(&mutex_);
    cancel_ = false;
    paused_ = false;
    enqueue({Request::Start, setup_, {}, {}, {}});
}

void RunWorker::pause() {
    QMutexLocker lock(&mutex_);
    if (!running_) {
        cancel_ = true;  // a long job (experts, sweep, evaluation) stops at its next safe point
        return;
    }
    paused_ = true;
    wake_.wakeOne();
}

void RunWorker::resume() {
    QMutexLocker lock(&mutex_);
    if (!running_ || !run_) return;
    paused_ = false;
    cancel_ = false;
    wake_.wakeOne();
}

void RunWorker::stepOnce() {
    QMutexLocker lock(&mutex_);
    cancel_ = false;
    paused_ = true;
    enqueue({Request::StepOnce, setup_, {}, {}, {}});
}

void RunWorker::stop() {
    QMutexLocker lock(&mutex_);
    cancel_ = true;
    jobs_.clear();
    if (running_) {
        running_ = false;
        paused_ = false;
    }
    wake_.wakeOne();
}

void RunWorker::requestSweep(const QStringList& modes, const QVector<int>& steps) {
    QMutexLocker lock(&mutex_);
    cancel_ = false;
    enqueue({Request::Sweep, setup_, modes, steps, {}});
}

void RunWorker::openRun(const QString& checkpoint) {
    QMutexLocker lock(&mutex_);
    cancel_ = false;
    enqueue({Request::OpenRun, setup_, {}, {}, checkpoint});
}

void RunWorker::setCheckpointEvery(int every) {
    QMutexLocker lock(&mutex_);
    checkpoint_every_ = std::max(0, every);
}

QString RunWorker::checkpointPath() const {
    QMutexLocker lock(&mutex_);
    return run_ ? checkpoint_path_ : QString();
}

void RunWorker::requestEvaluation() {
    QMutexLocker lock(&mutex_);
    cancel_ = false;
    enqueue({Request::Evaluate, setup_, {}, {}, {}});
}

QString RunWorker::setHyperparameter(const QString& key, const QString& value) {
    std::shared_ptr<DistillRun> run;
    {
        QMutexLocker lock(&mutex_);
        run = run_;
        if (!run) {
            // No run yet: check the value against the next run's settings, then keep it there.
            // The same rule as during a run (DistillConfig::apply), so the message names the key and
            // not the preset the settings came from.
            Settings candidate = next_settings_;
            candidate.set(ss(key), ss(value));
            try {
                const std::string dataset = next_settings_.text("dataset", "fashion-mnist");
                const std::string problem = DistillConfig::from_settings(next_settings_, dataset).apply(ss(key), ss(value));
                if (!problem.empty()) return qs(problem);
                DistillConfig::from_settings(candidate, dataset);
            } catch (const std::exception& e) {
                return qs(e.what());
            }
            next_settings_ = candidate;
            setup_.overrides << key + '=' + value;
            return {};
        }
    }
    // The run validates under its own short lock; it never waits for a step to finish.
    return qs(run->set(ss(key), ss(value)));
}

QMap<QString, QString> RunWorker::hyperparameters() const {
    QMutexLocker lock(&mutex_);
    if (run_) return panel_values(run_->config());
    try {
        return panel_values(DistillConfig::from_settings(next_settings_, next_settings_.text("dataset", "fashion-mnist")));
    } catch (const std::exception&) {
        return {};
    }
}

QString RunWorker::engineValue(const QString& key) const {
    QMutexLocker lock(&mutex_);
    return run_ ? qs(run_->config().get(ss(key))) : QString();
}

WorkerState RunWorker::state() const {
    QMutexLocker lock(&mutex_);
    return state_;
}

qint64 RunWorker::iteration() const {
    QMutexLocker lock(&mutex_);
    return iteration_;
}

bool RunWorker::hasRun() const {
    QMutexLocker lock(&mutex_);
    return run_ != nullptr;
}

void RunWorker::setEmitIntervals(int steps_ms, int images_ms) {
    QMutexLocker lock(&mutex_);
    steps_interval_ms_ = steps_ms;
    images_interval_ms_ = images_ms;
}

bool RunWorker::cancelled() const {
    QMutexLocker lock(&mutex_);
    return abort_ || cancel_;
}

void RunWorker::setState(WorkerState s, const QString& text) {
    {
        QMutexLocker lock(&mutex_);
        state_ = s;
    }
    Q_EMIT stateChanged(static_cast<int>(s), text.isEmpty() ? describe(s) : text);
}

void RunWorker::run() {
    init_runtime(0);
    for (;;) {
        Job job;
        bool step = false, resumed = false;
        {
            QMutexLocker lock(&mutex_);
            while (!abort_ && jobs_.isEmpty() && !(running_ && !paused_)) {
                // Entering the wait after a run was paused or stopped: say so once. A paused run
                // (after F10, a guard, or Pause) that is then stopped is saved and reported too.
                const bool stopped_while_paused = state_ == WorkerState::Paused && !running_;
                if (run_ && (state_ == WorkerState::Running || stopped_while_paused)) {
                    const bool finished = !running_ && run_->iteration() >= run_->config().iterations;
                    lock.unlock();
                    publishSteps(true);
                    publishImages();
                    saveCheckpoint();
                    release_free_memory(/*all_cached=*/true);  // nothing runs until the user says so
                    setState(running_ ? WorkerState::Paused : (finished ? WorkerState::Finished : WorkerState::Ready));
                    lock.relock();
                    continue;
                }
                wake_.wait(&mutex_);
            }
            if (abort_) return;
            if (!jobs_.isEmpty()) job = jobs_.takeFirst();
            else step = true;
            resumed = step && state_ != WorkerState::Running;
        }
        try {
            if (resumed) setState(WorkerState::Running);  // a paused or opened run continues
            if (step) stepRun();
            else execute(job);
        } catch (const std::exception& e) {
            {
                QMutexLocker lock(&mutex_);
                running_ = false;
                paused_ = false;
                jobs_.clear();
            }
            Q_EMIT message(tr("Error: %1").arg(qs(e.what())));
            setState(data_ ? WorkerState::Ready : WorkerState::Idle, tr("Error: %1").arg(qs(e.what())));
        }
    }
}

void RunWorker::execute(const Job& job) {
    switch (job.request) {
    case Request::Prepare:
        loadData(job.setup);
        break;
    case Request::TrainExperts:
        if (ensurePrepared(false)) trainMissingExperts();
        break;
    case Request::Start:
        if (!ensurePrepared(true)) return;
        createRun();
        {
            QMutexLocker lock(&mutex_);
            running_ = true;
            paused_ = false;
        }
        setState(WorkerState::Running);
        break;
    case Request::StepOnce: {
        bool have_run;
        {
            QMutexLocker lock(&mutex_);
            have_run = run_ != nullptr && running_;
        }
        if (!have_run) {
            if (!ensurePrepared(true)) return;
            createRun();
            QMutexLocker lock(&mutex_);
            running_ = true;
        }
        {
            QMutexLocker lock(&mutex_);
            paused_ = true;
        }
        setState(WorkerState::Stepping);
        stepRun();
        publishSteps(true);
        publishImages();
        saveCheckpoint();
        bool finished;
        {
            QMutexLocker lock(&mutex_);
            finished = run_ && run_->iteration() >= run_->config().iterations;
        }
        // Stopped during the step: Paused, which the wait loop then reports as stopped.
        setState(finished ? WorkerState::Finished : WorkerState::Paused);
        break;
    }
    case Request::Sweep:
        sweep(job.modes, job.steps);
        break;
    case Request::Evaluate:
        evaluate();
        break;
    case Request::OpenRun:
        openSavedRun(job.path);
        break;
    }
}

bool RunWorker::ensurePrepared(bool train_missing) {
    RunSetup setup;
    {
        QMutexLocker lock(&mutex_);
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
    if (!data_ || key != data_key_) {
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
        QMutexLocker lock(&mutex_);
        has_run = run_ != nullptr;
    }
    if (!has_run) setState(WorkerState::Ready);
    return true;
}

bool RunWorker::trainMissingExperts() {
    const Settings s = [&] {
        QMutexLocker lock(&mutex_);
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
    {
        QMutexLocker lock(&mutex_);
        s = next_settings_;
    }
    const auto cfg = DistillConfig::from_settings(s, data_->name);
    auto run = std::make_shared<DistillRun>(data_, ss(experts_dir_), cfg);
    {
        QMutexLocker lock(&mutex_);
        run_ = run;
        iteration_ = 0;
    }
    run_settings_ = s;
    {
        // Each run its own folder, named by when it started, so no run overwrites another's.
        QString root;
        {
            QMutexLocker lock(&mutex_);
            root = setup_.runs_dir;
        }
        if (root.isEmpty()) root = defaultRunsDir();
        const QString stamp = QDateTime::currentDateTime().toString("yyyyMMdd-hhmmss");
        QString folder = root + '/' + qs(run->data().name) + '-' + stamp;
        for (int n = 2; QDir(folder).exists(); ++n)
            folder = root + '/' + qs(run->data().name) + '-' + stamp + '-' + QString::number(n);
        QMutexLocker lock(&mutex_);
        checkpoint_path_ = folder + "/checkpoint.dckpt";  // the name distillery-cli uses
    }
    saved_iteration_ = -1;
    eval_rows_.clear();
    unsent_steps_.clear();
    since_steps_.start();
    since_images_.start();
    Q_EMIT runStarted(cfg.iterations, qs(run->memory_kind()));
    publishHyperparameters();
    publishImages();
}

void RunWorker::stepRun() {
    std::shared_ptr<DistillRun> run;
    {
        QMutexLocker lock(&mutex_);
        run = run_;
    }
    if (!run) return;
    const auto rec = run->step();
    if (!rec.guard.empty()) {
        // The engine rolled the step back; the run pauses so nothing more is lost, and says why.
        {
            QMutexLocker lock(&mutex_);
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
    {
        QMutexLocker lock(&mutex_);
        iteration_ = done;
        if (done >= cfg.iterations) {
            running_ = false;
            finished = true;
        }
    }
    int every;
    {
        QMutexLocker lock(&mutex_);
        every = checkpoint_every_;
    }
    if (every > 0 && done % every == 0) saveCheckpoint();
    if (!rec.updated && rec.skip_reason != "loss above threshold")
        Q_EMIT message(tr("Iteration %1: %2; update skipped").arg(rec.iteration).arg(qs(rec.skip_reason)));
    publishSteps(false);
    {
        QMutexLocker lock(&mutex_);
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
        QMutexLocker lock(&mutex_);
        interval = steps_interval_ms_;
    }
    if (unsent_steps_.isEmpty() || (!force && since_steps_.elapsed() < interval)) return;
    std::shared_ptr<DistillRun> run;
    {
        QMutexLocker lock(&mutex_);
        run = run_;
    }
    QVector<ChangeMark> changes;
    for (const auto& c : run->changes()) changes.append({c.iteration, qs(c.key), qs(c.old_value), qs(c.new_value)});
    const bool changed_now = !changes.isEmpty() && changes.back().iteration >= unsent_steps_.front().iteration;
    Q_EMIT stepsReady(unsent_steps_, changes, run->config().iterations);
    unsent_steps_.clear();
    since_steps_.restart();
    if (changed_now) publishHyperparameters();
}

void RunWorker::publishImages() {
    std::shared_ptr<DistillRun> run;
    {
        QMutexLocker lock(&mutex_);
        run = run_;
    }
    if (!run) return;
    Q_EMIT imagesReady(to_display(*run));
    since_images_.restart();
}

void RunWorker::publishHyperparameters() { Q_EMIT hyperparametersChanged(hyperparameters()); }

void RunWorker::sweep(const QStringList& modes, const QVector<int>& steps) {
    std::shared_ptr<DistillRun> run;
    {
        QMutexLocker lock(&mutex_);
        run = run_;
    }
    if (!run) {
        // A sweep needs a synthetic set and experts: make a run (not started) from the setup.
        if (!ensurePrepared(true)) {
            Q_EMIT sweepFinished();
            return;
        }
        createRun();
        QMutexLocker lock(&mutex_);
        run = run_;
    }
    const WorkerState before = state();
    setState(WorkerState::Busy, tr("Measuring memory against the number of student steps…"));
    const int total = static_cast<int>(modes.size() * steps.size());
    int done = 0;
    for (const auto& mode : modes) {
        for (const int n : steps) {
            if (cancelled()) break;
            const auto m = run->measure_memory(gradient_mode_from(ss(mode)), n);
            MemoryPoint p;
            p.mode = qs(m.mode);
            p.syn_steps = m.syn_steps;
            p.peak_bytes = m.peak_bytes;
            p.seconds = m.seconds;
            Q_EMIT sweepPoint(p, ++done, total);
        }
    }
    Q_EMIT sweepFinished();
    setState(before);
}

void RunWorker::evaluate() {
    std::shared_ptr<DistillRun> run;
    {
        QMutexLocker lock(&mutex_);
        run = run_;
    }
    if (!run) {
        Q_EMIT message(tr("Nothing to evaluate yet: start a run first"));
        return;
    }
    const WorkerState before = state();
    const auto cfg = EvalConfig::from_settings(run_settings_, data_->name);
    setState(WorkerState::Busy, tr("Evaluating: %1 networks × %2 epochs").arg(cfg.networks).arg(cfg.epochs));
    EvalResult result;
    try {
        result = run->evaluate(cfg, [&](const Progress& p) {
            Q_EMIT expertProgress(p.done, p.total, p.eta_s(), tr("evaluation: %1").arg(qs(p.detail)));
            return !cancelled();
        });
    } catch (const std::exception&) {
        // Stopped by the user (the engine ends a cancelled evaluation by throwing): not an error.
        if (!cancelled()) throw;
    }
    if (result.accuracies.size() == static_cast<size_t>(cfg.networks)) {
        eval_rows_.push_back(eval_row("synthetic", run->iteration(), result));
        QString path;
        {
            QMutexLocker lock(&mutex_);
            path = checkpoint_path_;
        }
        if (!path.isEmpty() && QFileInfo::exists(path)) writeRunFiles(*run, path);
        EvalPoint e;
        e.iteration = run->iteration();
        e.mean = result.mean;
        e.std = result.std;
        e.what = QStringLiteral("synthetic");
        const QString summary = tr("Iteration %1: the synthetic set scores %2").arg(e.iteration).arg(qs(result.summary()));
        Q_EMIT evaluationReady(e, summary);
        Q_EMIT message(summary);
    } else {
        Q_EMIT message(tr("Evaluation stopped at iteration %1").arg(run->iteration()));
    }
    setState(before);
}

void RunWorker::saveCheckpoint() {
    std::shared_ptr<DistillRun> run;
    QString path;
    {
        QMutexLocker lock(&mutex_);
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
    writeRunFiles(*run, path);
}

void RunWorker::writeRunFiles(const DistillRun& run, const QString& checkpoint) {
    // The files distillery-cli writes beside its checkpoint, so a run folder reads the same
    // whichever made it (run comparison, `eval --synthetic`, a spreadsheet). Each is written
    // atomically: a failure leaves the previous one, and the run goes on.
    const QString folder = QFileInfo(checkpoint).absolutePath();
    try {
        write_synthetic_and_settings(run, run_settings_.to_text(), ss(folder));
        MetricsLog log;
        for (const auto& r : run.history()) log.add(step_row(r));
        for (const auto& row : eval_rows_) log.add(row);
        log.write(ss(QDir(folder).filePath(kMetricsName)));
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
    {
        QMutexLocker lock(&mutex_);
        if (running_) {
            Q_EMIT message(tr("Stop the current run before opening another one."));
            return;
        }
        setup_.settings_text = qs(info.settings_text);
        setup_.overrides.clear();
        setup_.preset.clear();
        setup_.experts_dir = qs(info.experts_dir);
        next_settings_ = setup_.settings();
    }
    RunSetup setup;
    {
        QMutexLocker lock(&mutex_);
        setup = setup_;
    }
    if (!loadData(setup)) return;
    const auto run = std::shared_ptr<DistillRun>(resume_run(ss(path), data_, ss(experts_dir_)));
    {
        QMutexLocker lock(&mutex_);
        run_ = run;
        iteration_ = run->iteration();
        running_ = run->iteration() < run->config().iterations;
        paused_ = true;
        checkpoint_path_ = path;  // the opened run goes on saving where it was
    }
    run_settings_ = setup.settings();
    saved_iteration_ = run->iteration();
    eval_rows_.clear();
    unsent_steps_.clear();
    for (const auto& r : run->history()) unsent_steps_.append(step_point(r));
    since_steps_.start();
    since_images_.start();
    Q_EMIT runStarted(run->config().iterations, qs(run->memory_kind()));
    publishSteps(true);
    publishHyperparameters();
    publishImages();
    Q_EMIT message(tr("Opened %1 at iteration %2 of %3").arg(path).arg(run->iteration()).arg(run->config().iterations));
    setState(run->iteration() < run->config().iterations ? WorkerState::Paused : WorkerState::Finished);
}

}  // namespace distillery::ui
