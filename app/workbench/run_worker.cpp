#include "workbench/run_worker.h"

#include <torch/torch.h>


#include <algorithm>
#include <exception>
#include <utility>

#include "common/runtime.h"
#include "distill/run.h"
#include "distill/run_settings.h"
#include "workbench/view_records.h"

// The requests the UI thread makes and the loop that takes them on the worker thread. What the
// thread does for each request is in run_worker_jobs.cpp.

namespace distillery::ui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }
std::string ss(const QString& s) { return s.toStdString(); }

}  // namespace

Settings RunSetup::settings() const {
    Settings s = settings_text.isEmpty() ? load_preset(ss(preset)) : Settings::parse(ss(settings_text), "the saved run");
    for (const auto& a : overrides) {
        check_set_key(ss(a));  // named as the --set it came from, not as the preset's
        s.assign(ss(a));
    }
    validate_run_settings(s);  // a misspelt key or a bad value, before any work
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
        std::unique_lock<std::mutex> lock(mutex_);
        abort_ = true;
        cancel_ = true;
        wake_.notify_one();
    }
    wait();
    // The thread's last touch of the members is under mutex_; taking it once more orders that
    // before their destruction in terms ThreadSanitizer follows (it cannot see QThread::wait's
    // own synchronisation, inside the Qt library).
    std::lock_guard<std::mutex> lock(mutex_);
}

void RunWorker::enqueue(Job job) {
    jobs_.append(std::move(job));
    if (!isRunning()) QThread::start(QThread::LowPriority);
    wake_.notify_one();
}

void RunWorker::prepare(const RunSetup& setup) {
    const Settings s = setup.settings();  // throws on a bad preset before anything is queued
    std::unique_lock<std::mutex> lock(mutex_);
    setup_ = setup;
    next_settings_ = s;
    enqueue({Request::Prepare, setup, {}, {}, {}});
}

void RunWorker::trainExperts() {
    std::unique_lock<std::mutex> lock(mutex_);
    cancel_ = false;
    enqueue({Request::TrainExperts, setup_, {}, {}, {}});
}

void RunWorker::start() {
    std::unique_lock<std::mutex> lock(mutex_);
    cancel_ = false;
    paused_ = false;
    enqueue({Request::Start, setup_, {}, {}, {}});
}

void RunWorker::pause() {
    std::unique_lock<std::mutex> lock(mutex_);
    paused_ = true;  // also a run whose start is still queued: it starts paused
    if (!running_) {
        cancel_ = true;  // a long job (experts, sweep, evaluation) stops at its next safe point
        return;
    }
    wake_.notify_one();
}

void RunWorker::resume() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!running_ || !run_) return;
    paused_ = false;
    cancel_ = false;
    wake_.notify_one();
}

void RunWorker::stepOnce() {
    std::unique_lock<std::mutex> lock(mutex_);
    cancel_ = false;
    paused_ = true;
    enqueue({Request::StepOnce, setup_, {}, {}, {}});
}

void RunWorker::stop() {
    std::unique_lock<std::mutex> lock(mutex_);
    cancel_ = true;
    jobs_.clear();
    if (running_) {
        running_ = false;
        paused_ = false;
    }
    wake_.notify_one();
}

void RunWorker::requestSweep(const QStringList& modes, const QVector<int>& steps) {
    std::unique_lock<std::mutex> lock(mutex_);
    cancel_ = false;
    enqueue({Request::Sweep, setup_, modes, steps, {}});
}

void RunWorker::openRun(const QString& checkpoint) {
    std::unique_lock<std::mutex> lock(mutex_);
    cancel_ = false;
    enqueue({Request::OpenRun, setup_, {}, {}, checkpoint});
}

void RunWorker::setCheckpointEvery(int every) {
    std::unique_lock<std::mutex> lock(mutex_);
    checkpoint_every_ = std::max(0, every);
}

QString RunWorker::checkpointPath() const {
    std::unique_lock<std::mutex> lock(mutex_);
    return run_ ? checkpoint_path_ : QString();
}

void RunWorker::requestEvaluation() {
    std::unique_lock<std::mutex> lock(mutex_);
    cancel_ = false;
    enqueue({Request::Evaluate, setup_, {}, {}, {}});
}

void RunWorker::requestCrossEvaluation(const QStringList& archs, bool baselines) {
    std::unique_lock<std::mutex> lock(mutex_);
    cancel_ = false;
    enqueue({Request::CrossEvaluate, setup_, archs, {}, {}, baselines});
}

QString RunWorker::setHyperparameter(const QString& key, const QString& value) {
    std::shared_ptr<DistillRun> run;
    {
        std::unique_lock<std::mutex> lock(mutex_);
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
    std::shared_ptr<DistillRun> run;
    Settings next;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        run = run_;
        if (!run) next = next_settings_;
    }
    // The run answers under its own short lock, outside mutex_.
    if (run) return panel_values(run->config());
    try {
        return panel_values(DistillConfig::from_settings(next, next.text("dataset", "fashion-mnist")));
    } catch (const std::exception&) {
        return {};
    }
}

QString RunWorker::engineValue(const QString& key) const {
    std::shared_ptr<DistillRun> run;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        run = run_;
    }
    return run ? qs(run->config().get(ss(key))) : QString();
}

WorkerState RunWorker::state() const {
    std::unique_lock<std::mutex> lock(mutex_);
    return state_;
}

qint64 RunWorker::iteration() const {
    std::unique_lock<std::mutex> lock(mutex_);
    return iteration_;
}

bool RunWorker::hasRun() const {
    std::unique_lock<std::mutex> lock(mutex_);
    return run_ != nullptr;
}

void RunWorker::setEmitIntervals(int steps_ms, int images_ms) {
    std::unique_lock<std::mutex> lock(mutex_);
    steps_interval_ms_ = steps_ms;
    images_interval_ms_ = images_ms;
}

bool RunWorker::cancelled() const {
    std::unique_lock<std::mutex> lock(mutex_);
    return abort_ || cancel_;
}

void RunWorker::setState(WorkerState s, const QString& text) {
    {
        std::unique_lock<std::mutex> lock(mutex_);
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
            std::unique_lock<std::mutex> lock(mutex_);
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
                    lock.lock();
                    // Read again under the lock: stop() may have ended the run during the save.
                    const WorkerState now =
                        running_ ? WorkerState::Paused : (finished ? WorkerState::Finished : WorkerState::Ready);
                    lock.unlock();
                    setState(now);
                    lock.lock();
                    continue;
                }
                wake_.wait(lock);
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
                std::unique_lock<std::mutex> lock(mutex_);
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
            // paused_ as start() left it, unless pause() came since.
            std::unique_lock<std::mutex> lock(mutex_);
            running_ = true;
        }
        setState(WorkerState::Running);
        break;
    case Request::StepOnce: {
        bool have_run;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            have_run = run_ != nullptr && running_;
        }
        if (!have_run) {
            if (!ensurePrepared(true)) return;
            createRun();
            std::unique_lock<std::mutex> lock(mutex_);
            running_ = true;
        }
        {
            std::unique_lock<std::mutex> lock(mutex_);
            paused_ = true;
        }
        setState(WorkerState::Stepping);
        stepRun();
        publishSteps(true);
        publishImages();
        saveCheckpoint();
        bool finished;
        {
            std::unique_lock<std::mutex> lock(mutex_);
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
    case Request::CrossEvaluate:
        crossEvaluate(job.modes, job.baselines);
        break;
    case Request::OpenRun:
        openSavedRun(job.path);
        break;
    }
}

}  // namespace distillery::ui
