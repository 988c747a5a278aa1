#pragma once
// Following a run that runs elsewhere: `distillery-cli distill --out DIR`, a distributed job's
// rank 0 writing to a cluster's shared disk, another workbench. The run's folder is looked at on
// a timer (and at once when the system reports a change there, which network file systems do not
// do), what changed is read on a pool thread, and the window gets plain records of what is new.
// Read-only: nothing is written into the folder and its lock is never taken, so the run that
// writes it goes on undisturbed. No LibTorch in this header.
#include <QElapsedTimer>
#include <QFileSystemWatcher>
#include <QFutureWatcher>
#include <QMap>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QVector>

#include <memory>

#include "widgets/run_snapshot.h"

namespace distillery::ui {

// What one look at the followed folder found. Only what is new is in it; what could not be read
// is in `problems` and is tried again at the next look, the window keeping what it shows.
struct FollowUpdate {
    bool restarted = false;                  // the run's steps no longer continue those sent: start over
    QVector<StepPoint> steps;                // steps not sent before (every step after a restart)
    QVector<ChangeMark> changes;             // every hyperparameter change so far (with new steps)
    QVector<EvalPoint> evaluations;          // evaluations not sent before
    SyntheticImages images;                  // empty: no newer images
    QMap<QString, QString> hyperparameters;  // empty: unchanged
    qint64 iteration = -1;                   // iterations done, as the newest file says; -1: no run files yet
    qint64 iterations = 0;                   // the run's planned iterations; 0: not known yet
    bool changed = false;                    // a file of the run is new or was replaced since the last look
    qint64 newest_age_ms = -1;               // how long ago the newest run file was written, by its time; -1: none
    qint64 guard_iteration = -1;             // a guard stopped the run at this iteration (metrics.csv); -1: none
    QString guard;                           // what the guard said
    QStringList problems;
};

class FollowReader;

class RunFollower : public QObject {
    Q_OBJECT
public:
    enum class Activity {
        Waiting,   // no checkpoint or metrics in the folder yet
        Running,   // files keep arriving
        Finished,  // the run has done all its iterations
        Stopped,   // a guard stopped it (its message is guard()); a resume carries on
        Stalled,   // nothing new for much longer than the run took between its files so far
    };

    // Starts following `folder` at once; `poll_ms` is how often it is looked at.
    explicit RunFollower(const QString& folder, int poll_ms = 1000, QObject* parent = nullptr);
    ~RunFollower() override;

    QString folder() const { return folder_; }
    Activity activity() const { return activity_; }
    qint64 iteration() const { return iteration_; }
    qint64 iterations() const { return iterations_; }
    QString guard() const { return guard_; }
    // Seconds since a file of the run last changed (since following began when none has).
    double secondsSinceChange() const { return static_cast<double>(quietMs()) / 1000.0; }

Q_SIGNALS:
    void updated(const distillery::ui::FollowUpdate& update);
    void activityChanged(int activity);

private:
    void look();
    void received(const FollowUpdate& update);
    void judgeActivity();
    qint64 quietMs() const { return since_change_.elapsed() + quiet_before_ms_; }

    QString folder_;
    // Shared with the read in flight, which may outlive the follower.
    std::shared_ptr<FollowReader> reader_;
    QFutureWatcher<FollowUpdate>* reading_ = nullptr;
    QTimer timer_;
    QFileSystemWatcher watcher_;
    bool reading_now_ = false;  // a look is in flight (until its result has been received)
    bool look_again_ = false;   // a change was reported while a look was in flight
    Activity activity_ = Activity::Waiting;
    qint64 iteration_ = -1, iterations_ = 0, guard_iteration_ = -1;
    QString guard_;
    QElapsedTimer since_change_;
    qint64 longest_gap_ms_ = 0;  // the longest time between two changes of the run's files so far
    int changes_seen_ = 0;
    // At the first look, how long the run's files had been quiet already: a folder whose run
    // stopped long ago is called stalled at once, not a minute later.
    qint64 quiet_before_ms_ = 0;
};

}  // namespace distillery::ui

Q_DECLARE_METATYPE(distillery::ui::FollowUpdate)
