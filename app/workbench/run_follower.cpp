#include "workbench/run_follower.h"

#include <sys/stat.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <utility>

#include "distill/run_outputs.h"
#include "workbench/run_loader.h"

namespace distillery::ui {
namespace {

// A run is called stalled when none of its files changed for this long, or for three times the
// longest pause between its files seen so far, whichever is longer: long enough for a run that
// checkpoints rarely, short enough to notice a run that died.
constexpr qint64 kMinStallMs = 60000;

// Two records of the same step: the one sent last, and the same place in a newer file.
bool sameStep(const StepPoint& a, const StepPoint& b) {
    if (a.iteration != b.iteration) return false;
    if (std::isnan(a.loss) || std::isnan(b.loss)) return std::isnan(a.loss) && std::isnan(b.loss);
    // metrics.csv holds six significant digits of what the checkpoint holds exactly.
    return std::abs(a.loss - b.loss) <= 1e-5 * std::max(1.0, std::abs(a.loss));
}

}  // namespace

// Reads the followed folder; on one thread at a time (a pool thread, one look after another).
// Each file is read again only when it was replaced (its inode, size or time changed), and is
// read whole: the writers replace files by rename, so a file under its name is either the old one
// or the new one; one that still cannot be read (a network file system's half-copied file) is
// tried again at the next look.
class FollowReader {
    Q_DECLARE_TR_FUNCTIONS(FollowReader)

public:
    explicit FollowReader(QString folder) : folder_(std::move(folder)) {}

    FollowUpdate look() {
        FollowUpdate u;
        const QDir dir(folder_);
        if (!QFileInfo(folder_).isDir()) {
            report(u, tr("%1 is no longer there; still looking for it").arg(folder_));
        } else {
            const QString checkpoint = dir.filePath(QStringLiteral("checkpoint.dckpt"));
            const Signature checkpoint_now = signatureOf(checkpoint);
            if (checkpoint_now.exists() && checkpoint_now != checkpoint_seen_) readCheckpoint(checkpoint, checkpoint_now, u);
            const QString metrics = dir.filePath(QString::fromLatin1(kMetricsName));
            const Signature metrics_now = signatureOf(metrics);
            if (metrics_now.exists() && metrics_now != metrics_seen_) readMetrics(metrics, metrics_now, checkpoint_now.exists(), u);
            // The images come from the checkpoint; a folder without one has only its final set.
            const Signature synthetic_now = signatureOf(dir.filePath(QString::fromLatin1(kSyntheticName)));
            if (!checkpoint_now.exists() && synthetic_now.exists() && synthetic_now != synthetic_seen_) {
                RunCurves run;
                if (loader_.readSynthetic(folder_, run)) {
                    synthetic_seen_ = synthetic_now;
                    u.images = run.images;
                    u.changed = true;
                } else {
                    report(u, run.problems);
                }
            }
        }
        u.iteration = iteration_;
        u.iterations = iterations_;
        u.guard_iteration = guard_iteration_;
        u.guard = guard_;
        qint64 newest_ns = -1;
        for (const Signature* seen : {&checkpoint_seen_, &metrics_seen_, &synthetic_seen_}) newest_ns = std::max(newest_ns, seen->mtime_ns);
        if (newest_ns >= 0) u.newest_age_ms = std::max<qint64>(0, QDateTime::currentMSecsSinceEpoch() - newest_ns / 1000000);
        if (u.problems.isEmpty() && u.changed) reported_.clear();  // a problem that comes back is said again
        return u;
    }

private:
    // What tells a replaced file from the one read before. A rename gives it a new inode even
    // where the times are coarse.
    struct Signature {
        qint64 inode = -1, size = -1, mtime_ns = -1, ctime_ns = -1;
        bool exists() const { return inode >= 0; }
        bool operator!=(const Signature& o) const {
            return inode != o.inode || size != o.size || mtime_ns != o.mtime_ns || ctime_ns != o.ctime_ns;
        }
    };
    static Signature signatureOf(const QString& path) {
        struct stat st {};
        if (::stat(QFile::encodeName(path).constData(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
        return {static_cast<qint64>(st.st_ino), static_cast<qint64>(st.st_size),
                static_cast<qint64>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                static_cast<qint64>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec};
    }

    void readCheckpoint(const QString& path, const Signature& now, FollowUpdate& u) {
        RunCurves run = loader_.loadCheckpoint(path);
        // No panel values: the checkpoint itself could not be read (not just its images).
        if (run.hyperparameters.isEmpty()) {
            report(u, run.problems);
            return;
        }
        checkpoint_seen_ = now;
        u.changed = true;
        // metrics.csv set aside as not of this checkpoint's run may be of this one.
        if (std::exchange(metrics_set_aside_, false)) metrics_seen_ = {};
        steps_ = run.steps;
        sendSteps(steps_, u);
        u.changes = run.changes;
        u.hyperparameters = run.hyperparameters;
        iteration_ = run.iteration;
        iterations_ = run.iterations;
        if (!run.images.isEmpty()) u.images = run.images;
        report(u, run.problems);
    }

    void readMetrics(const QString& path, const Signature& now, bool has_checkpoint, FollowUpdate& u) {
        RunCurves run;
        if (!loader_.readMetrics(path, run)) {
            report(u, run.problems);
            return;
        }
        metrics_seen_ = now;
        u.changed = true;
        if (has_checkpoint) {
            // A folder written again by a new run still holds the old run's metrics until the new
            // run's end: its steps must be those of the checkpoint for its evaluations to be shown.
            // It can also be ahead of the checkpoint read just before it: then it is read again
            // with the next checkpoint.
            const bool of_this_run =
                std::all_of(run.steps.begin(), run.steps.end(), [&](const StepPoint& s) {
                    const auto it = std::lower_bound(steps_.begin(), steps_.end(), s.iteration,
                                                     [](const StepPoint& p, qint64 i) { return p.iteration < i; });
                    return it != steps_.end() && sameStep(*it, s);
                });
            if (!of_this_run) {
                metrics_set_aside_ = true;
                return;
            }
        } else {
            sendSteps(run.steps, u);
            iteration_ = run.steps.isEmpty() ? 0 : run.steps.back().iteration + 1;
        }
        guard_iteration_ = run.guard_iteration;
        guard_ = run.guard;
        if (run.evaluations.size() < sent_evaluations_) sent_evaluations_ = 0;
        u.evaluations += run.evaluations.mid(sent_evaluations_);
        sent_evaluations_ = run.evaluations.size();
    }

    // The steps of `all` not sent yet; all of them, and a restart, when they no longer continue
    // the ones sent (a new run in the same folder).
    void sendSteps(const QVector<StepPoint>& all, FollowUpdate& u) {
        const bool continues = all.size() >= sent_steps_ && (sent_steps_ == 0 || sameStep(all[sent_steps_ - 1], last_sent_));
        if (!continues) {
            u.restarted = true;
            sent_steps_ = 0;
            sent_evaluations_ = 0;
            u.evaluations.clear();
            guard_iteration_ = -1;  // the old run's
            guard_.clear();
        }
        u.steps = all.mid(sent_steps_);
        sent_steps_ = all.size();
        if (!all.isEmpty()) last_sent_ = all.back();
    }

    // Each problem once until a look succeeds: a file that stays unreadable is not reported every second.
    void report(FollowUpdate& u, const QStringList& problems) {
        for (const QString& p : problems)
            if (!reported_.contains(p)) {
                reported_.insert(p);
                u.problems << p;
            }
    }
    void report(FollowUpdate& u, const QString& problem) { report(u, QStringList{problem}); }

    QString folder_;
    RunLoader loader_;
    Signature checkpoint_seen_, metrics_seen_, synthetic_seen_;
    bool metrics_set_aside_ = false;
    QVector<StepPoint> steps_;  // the checkpoint's steps, as last read
    qsizetype sent_steps_ = 0, sent_evaluations_ = 0;
    StepPoint last_sent_;
    qint64 iteration_ = -1, iterations_ = 0;
    qint64 guard_iteration_ = -1;  // from the last metrics.csv of this run
    QString guard_;
    QSet<QString> reported_;
};

RunFollower::RunFollower(const QString& folder, int poll_ms, QObject* parent)
    : QObject(parent), folder_(QDir::cleanPath(QFileInfo(folder).absoluteFilePath())), reader_(std::make_shared<FollowReader>(folder_)) {
    qRegisterMetaType<FollowUpdate>();
    reading_ = new QFutureWatcher<FollowUpdate>(this);
    connect(reading_, &QFutureWatcherBase::finished, this, [this] {
        reading_now_ = false;
        received(reading_->result());
        if (std::exchange(look_again_, false)) look();
    });
    timer_.setInterval(poll_ms);
    connect(&timer_, &QTimer::timeout, this, [this] {
        look();
        judgeActivity();  // a stall is the absence of news: judged on the clock as well
    });
    timer_.start();
    // Where the system reports changes (a local disk), a replaced file is read at once.
    watcher_.addPath(folder_);
    connect(&watcher_, &QFileSystemWatcher::directoryChanged, this, [this] { look(); });
    since_change_.start();
    look();
}

RunFollower::~RunFollower() {
    // A read in flight holds its own share of the reader. The reader keeps data transforms, which
    // are tensors: the last share goes on a pool thread, never on this one.
    QThreadPool::globalInstance()->start([reader = std::move(reader_)]() mutable { reader.reset(); });
}

void RunFollower::look() {
    // One look at a time, and each one's result delivered: a new future on the watcher would drop
    // the previous one's, and the reader has already counted what it holds as sent.
    if (reading_now_) {
        look_again_ = true;
        return;
    }
    reading_now_ = true;
    reading_->setFuture(QtConcurrent::run([reader = reader_] { return reader->look(); }));
}

void RunFollower::received(const FollowUpdate& update) {
    if (update.changed) {
        if (changes_seen_ > 0) longest_gap_ms_ = std::max(longest_gap_ms_, since_change_.elapsed());
        // The files' own times only for what was there before following began (the writer's
        // clock may differ from this one; after that, this machine's clock decides).
        quiet_before_ms_ = changes_seen_ == 0 ? std::max<qint64>(0, update.newest_age_ms) : 0;
        ++changes_seen_;
        since_change_.restart();
    }
    iteration_ = update.iteration;
    iterations_ = update.iterations;
    guard_iteration_ = update.guard_iteration;
    guard_ = update.guard;
    Q_EMIT updated(update);
    judgeActivity();
}

void RunFollower::judgeActivity() {
    Activity now = Activity::Running;
    if (iteration_ < 0) now = Activity::Waiting;
    else if (iterations_ > 0 && iteration_ >= iterations_) now = Activity::Finished;
    // Rolled back to before the guarded step, and not resumed past it.
    else if (guard_iteration_ >= 0 && iteration_ <= guard_iteration_) now = Activity::Stopped;
    else if (quietMs() > std::max(kMinStallMs, 3 * longest_gap_ms_)) now = Activity::Stalled;
    if (now == activity_) return;
    activity_ = now;
    Q_EMIT activityChanged(static_cast<int>(now));
}

}  // namespace distillery::ui
