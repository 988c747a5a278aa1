#pragma once
// The worker thread that owns the distillation (the pattern of Qt's Mandelbrot example): the UI
// queues requests under a mutex and returns at once; the thread takes them between engine steps,
// checks pause and abort between steps, and sends copies of the results as queued signals. The
// engine's tensors never leave this thread; no LibTorch in this header. run_worker.cpp holds the
// requests and the thread's loop, run_worker_jobs.cpp what the thread does for each request.
#include <QElapsedTimer>
#include <QMap>
#include <QStringList>
#include <QThread>
#include <QVector>

#include <condition_variable>
#include <memory>
#include <mutex>

#include "common/folder_lock.h"
#include "common/metrics_log.h"
#include "config/settings.h"
#include "widgets/run_snapshot.h"
#include "workbench/run_folder.h"

namespace distillery {
class DistillRun;
struct PreparedData;
}  // namespace distillery

namespace distillery::ui {

// What the user chose: a preset plus the settings typed over it (dataset, method, gradient mode,
// IPC, hyperparameters). Copied into the worker; the worker never reads the widgets.
struct RunSetup {
    QString preset = QStringLiteral("quick");  // an embedded preset's name or a preset file
    QStringList overrides;                      // "key=value", applied in order after the preset
    QString experts_dir;                        // empty: default_experts_dir() of the settings
    // Where each run's checkpoint folder goes (<runs_dir>/<date-time>/checkpoint.dckpt); empty: the
    // application's data folder (QStandardPaths::AppDataLocation)/runs.
    QString runs_dir;
    // A saved run's settings (set when a run is opened): used instead of the preset.
    QString settings_text;

    Settings settings() const;  // throws distillery::Error for an unknown preset or a bad line
};

enum class WorkerState {
    Idle,             // nothing prepared yet
    Loading,          // reading the data set
    TrainingExperts,  // generating expert trajectories
    Ready,            // data and experts there; no run yet, or the last one stopped
    Running,
    Stepping,         // one step (F10), then Paused
    Paused,
    Finished,         // the run reached its iterations; it can be exported or evaluated
    Busy,             // a sweep or an evaluation between steps
};
QString describe(WorkerState s);

class RunWorker : public QThread {
    Q_OBJECT
public:
    explicit RunWorker(QObject* parent = nullptr);
    ~RunWorker() override;  // aborts at the next safe point and waits for the thread

    // Requests: each returns at once; the work happens on the worker thread, in order.
    void prepare(const RunSetup& setup);  // load the data and look for experts (no training)
    void trainExperts();                  // train the experts that are missing
    void start();                         // a new run from the setup (data and experts first if needed), then run
    void pause();
    void resume();
    void stepOnce();                      // one step, then paused (starts a run if there is none)
    void stop();                          // ends the run after the current step; its state is kept
    void requestSweep(const QStringList& modes, const QVector<int>& steps);
    // Evaluates the synthetic set (and, once per run, the random real baselines beside it).
    void requestEvaluation();
    // Evaluates the synthetic set on each network of `archs` (nn/architectures.h names), with the
    // random real baselines on each when `baselines`: crossEvaluationReady for every result.
    void requestCrossEvaluation(const QStringList& archs, bool baselines);
    // Opens a checkpoint (.dckpt) saved by the workbench or the CLI: loads its data and experts
    // and restores the run paused exactly where it was saved; resume() continues it.
    void openRun(const QString& checkpoint);
    // Checkpoints are written every `every` steps (0: never) and whenever the run pauses, stops,
    // finishes or a guard trips.
    void setCheckpointEvery(int every);
    QString checkpointPath() const;  // the current run's checkpoint file ("" without a run)

    // Validates a hyperparameter change and queues it for the next step; "" when accepted, else
    // why not (nothing changes then). Without a run the change goes into the next run's settings.
    QString setHyperparameter(const QString& key, const QString& value);
    // The run's current values (or the next run's, when there is none).
    QMap<QString, QString> hyperparameters() const;
    // The engine's own value of a key now (for tests: "did the engine use it").
    QString engineValue(const QString& key) const;

    WorkerState state() const;
    qint64 iteration() const;
    bool hasRun() const;

    // Engine steps are sent at most this often (ms), images at most every imagesInterval ms.
    void setEmitIntervals(int steps_ms, int images_ms);

Q_SIGNALS:
    void stateChanged(int state, const QString& message);
    void message(const QString& text);  // something the user should read (errors, results)
    void setupReady(const QString& summary, const QString& device, const QString& experts_dir, int experts,
                    int experts_wanted);
    void expertProgress(qint64 done, qint64 total, double eta_s, const QString& detail);
    void runStarted(qint64 total_iterations, const QString& memory_kind);
    // A saved run was opened: its checkpoint, settings and expert folder, for the setup to show.
    void runOpened(const QString& checkpoint, const QString& settings_text, const QString& experts_dir);
    void stepsReady(const QVector<distillery::ui::StepPoint>& steps,
                    const QVector<distillery::ui::ChangeMark>& changes, qint64 total_iterations);
    void imagesReady(const distillery::ui::SyntheticImages& images);
    void hyperparametersChanged(const QMap<QString, QString>& values);
    void evaluationReady(const distillery::ui::EvalPoint& point, const QString& summary);
    void crossEvaluationReady(const QString& arch, const distillery::ui::EvalPoint& point);
    void crossEvaluationFinished(bool complete);
    void sweepPoint(const distillery::ui::MemoryPoint& point, int done, int total);
    void sweepFinished();
    void checkpointSaved(const QString& path, qint64 iteration);

protected:
    void run() override;

private:
    enum class Request { Prepare, TrainExperts, Start, StepOnce, Sweep, Evaluate, CrossEvaluate, OpenRun };
    struct Job {
        Request request;
        RunSetup setup;
        QStringList modes;
        QVector<int> steps;
        QString path;
        bool baselines = false;  // CrossEvaluate: the random real subsets too
    };

    void enqueue(Job job);  // with mutex_ held: queue a job, start the thread if needed, wake it
    void execute(const Job& job);
    // Takes the lock of the folder of `checkpoint` for the run about to use it (throws an Error
    // naming who holds it, or why the folder cannot take files); lets the previous run's go.
    void holdRunFolder(const QString& checkpoint);
    bool ensurePrepared(bool train_missing);
    bool loadData(const RunSetup& setup);
    bool trainMissingExperts();
    void createRun();
    void openSavedRun(const QString& path);
    void saveCheckpoint();  // never throws: a failed save is reported and the run goes on
    // writeRunFiles() into the checkpoint's folder; never throws: a failure is reported and the
    // previous files stay.
    void updateRunFolder(const DistillRun& run, const QString& checkpoint);
    void stepRun();
    void sweep(const QStringList& modes, const QVector<int>& steps);
    void evaluate();
    void crossEvaluate(const QStringList& archs, bool baselines);
    void publishSteps(bool force);
    void publishImages();
    void publishHyperparameters();
    void setState(WorkerState s, const QString& text = {});
    bool cancelled() const;  // abort, stop or pause asked for: long jobs stop at their next safe point

    // The standard mutex and condition variable, not Qt's: QWaitCondition::wait releases and
    // retakes its mutex inside the Qt library, where ThreadSanitizer (scripts/tsan.sh) cannot see
    // it, whereas these go through pthreads, which it follows.
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    // Guarded by mutex_.
    QList<Job> jobs_;
    bool abort_ = false, running_ = false, paused_ = false, cancel_ = false;
    WorkerState state_ = WorkerState::Idle;
    RunSetup setup_;                      // the setup the next run starts from
    Settings next_settings_;              // setup_.settings() plus edits made while there is no run
    std::shared_ptr<DistillRun> run_;     // shared so setHyperparameter can call run_->set() outside the lock
    qint64 iteration_ = 0;
    int steps_interval_ms_ = 100, images_interval_ms_ = 250;
    int checkpoint_every_ = 10;
    QString checkpoint_path_;

    // The worker thread's own.
    std::shared_ptr<PreparedData> data_;
    QString data_key_;                    // what data_ was loaded from (reloaded when it changes)
    QString experts_dir_;
    // The current run's folder, held as distillery-cli holds its --out: no other run (a second
    // workbench, a `distill --resume`) writes it while this one may.
    std::unique_ptr<FolderLock> folder_lock_;
    Settings run_settings_;               // the settings the current run started from
    qint64 saved_iteration_ = -1;         // the iteration of the last checkpoint written
    std::vector<MetricsLog::Row> eval_rows_;  // the run's evaluations, for its metrics.csv
    // The random real baselines of the current run on the ConvNet, evaluated once (they do not
    // change while the set does) and shown again beside every later evaluation.
    QVector<EvalPoint> baselines_;
    QVector<StepPoint> unsent_steps_;
    QElapsedTimer since_steps_, since_images_;
};

}  // namespace distillery::ui
