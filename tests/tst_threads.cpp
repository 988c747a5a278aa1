// Threads: the engine's run and the workbench's worker used from two threads at once, as the
// workbench uses them (the UI thread edits and reads while the worker thread steps), and exports
// that replace a file in one step. scripts/tsan.sh runs this suite under ThreadSanitizer, where a
// data race fails it; in every build the values read while the run steps must be whole.
#include "common/torch_pch.h"

#include <QtTest>

#include <sys/inotify.h>
#include <unistd.h>

#include <opencv2/imgcodecs.hpp>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "distill/checkpoint.h"
#include "distill/run.h"
#include "expert/expert_trainer.h"
#include "tiny_fixtures.h"
#include "workbench/image_export.h"
#include "workbench/run_worker.h"

namespace fs = std::filesystem;
using namespace distillery;
using distillery::ui::RunSetup;
using distillery::ui::RunWorker;
using distillery::ui::WorkerState;

namespace {

constexpr int kTimeout = 120000;  // ms; ThreadSanitizer makes everything several times slower

// What the other thread found wrong; QTest's checks work on the test's own thread only.
class Problems {
public:
    void add(const std::string& what) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (list_.size() < 20) list_.push_back(what);
    }
    std::string text() const {
        std::lock_guard<std::mutex> lock(mutex_);
        std::string all;
        for (const auto& p : list_) all += p + "\n";
        return all;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> list_;
};

// Joins the thread however the test leaves its scope (a failed check returns early).
class Joined {
public:
    explicit Joined(std::thread& t) : t_(t) {}
    ~Joined() {
        if (t_.joinable()) t_.join();
    }

private:
    std::thread& t_;
};

bool is_order_of(const std::vector<std::int64_t>& order, std::int64_t count) {
    std::vector<bool> seen(static_cast<size_t>(count), false);
    for (const auto i : order) {
        if (i < 0 || i >= count || seen[static_cast<size_t>(i)]) return false;
        seen[static_cast<size_t>(i)] = true;
    }
    return order.empty() || static_cast<std::int64_t>(order.size()) == count;
}

bool same_record(const StepRecord& a, const StepRecord& b) {
    return a.iteration == b.iteration && a.loss == b.loss && a.lr == b.lr && a.expert == b.expert &&
           a.start_epoch == b.start_epoch && a.upper_bound == b.upper_bound && a.mode == b.mode &&
           a.syn_steps == b.syn_steps && a.grad_norm_images == b.grad_norm_images && a.grad_lr == b.grad_lr &&
           a.seconds == b.seconds && a.peak_bytes == b.peak_bytes && a.memory_kind == b.memory_kind &&
           a.updated == b.updated && a.skip_reason == b.skip_reason && a.guard == b.guard;
}

// A synthetic set of two 4x4 grey images, one per class.
ui::SyntheticImages two_images(float grey) {
    ui::SyntheticImages s;
    s.count = 2;
    s.channels = 1;
    s.height = s.width = 4;
    s.pixels = QVector<float>(32, grey);
    s.classes = {0, 1};
    s.num_classes = 2;
    s.class_names = {"a", "b"};
    s.label_probs = {1, 0, 0, 1};
    s.label_kind = "hard";
    return s;
}

// The names inotify reported in `dir` for `mask`, from events already queued on `fd`.
QStringList inotify_names(int fd, std::uint32_t mask) {
    QStringList names;
    alignas(inotify_event) char buffer[16384];
    for (;;) {
        const auto n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        for (const char* p = buffer; p < buffer + n;) {
            const auto* e = reinterpret_cast<const inotify_event*>(p);
            if ((e->mask & mask) && e->len > 0) names << QString::fromLocal8Bit(e->name);
            p += sizeof(inotify_event) + e->len;
        }
    }
    return names;
}

}  // namespace

class TestThreads : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::shared_ptr<PreparedData> data_;
    std::string experts_;
    QString images_dir_;  // an image folder of random 8x8 grey images, two classes, for the worker

    std::string file(const std::string& name) const { return (fs::path(tmp_.path().toStdString()) / name).string(); }

    // Tiny: IPC 2 of 3 classes of random 8x8 images, 2 student steps, two 3-epoch experts.
    DistillConfig tiny() const {
        auto c = fixtures::short_distill("mtt", 2, 2, 1, 2, 3);
        c.mode = GradientMode::Unrolled;
        c.batch_syn = 0;
        c.threshold = 1e9;
        c.lr_img = 100;
        c.lr_lr = 1e-5;
        return c;
    }

    // The workbench's setup for a run on the image folder, with its experts trained by the worker.
    RunSetup tinySetup() const {
        RunSetup setup;
        setup.preset = "quick";
        setup.overrides = {"dataset=folder:" + images_dir_ + ":8x8x1",
                           "train_per_class=0",
                           "net_width=4",
                           "net_depth=1",
                           "num_experts=1",
                           "train_epochs=3",
                           "batch_train=8",
                           "ipc=2",
                           "syn_steps=2",
                           "expert_epochs=1",
                           "max_start_epoch=2",
                           "batch_syn=0",
                           "lr_img=100",
                           "lr_lr=1e-7",
                           "Iteration=100000",
                           "eval_it=0"};
        setup.experts_dir = tmp_.filePath("worker-experts");
        setup.runs_dir = tmp_.filePath("runs");
        return setup;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        data_ = fixtures::random_data("random", 1, 8, 3, 30, 9);
        experts_ = file("experts");
        generate_experts(*data_, fixtures::expert_config(2, 3, 10, 4, 1), experts_);

        images_dir_ = tmp_.filePath("images");
        cv::RNG rng(5);
        for (const char* split : {"train", "test"})
            for (const char* cls : {"a", "b"}) {
                const QString dir = images_dir_ + '/' + split + '/' + cls;
                QVERIFY(QDir().mkpath(dir));
                for (int i = 0; i < (QString(split) == "train" ? 10 : 3); ++i) {
                    cv::Mat m(8, 8, CV_8UC1);
                    rng.fill(m, cv::RNG::UNIFORM, 0, 256);
                    QVERIFY(cv::imwrite(QString("%1/%2.png").arg(dir).arg(i).toStdString(), m));
                }
            }
    }

    // The UI thread's calls on DistillRun (set() and every getter) while another thread steps it
    // and saves checkpoints: each answer is whole and of one moment, edits are taken, and the
    // last checkpoint resumes to the run it was.
    void runReadAndEditedWhileItSteps() {
        DistillRun run(data_, experts_, tiny());
        const std::string checkpoint = file("stepping.dckpt");
        constexpr std::int64_t kSteps = 24;
        std::atomic<bool> done{false};
        Problems problems;
        std::thread stepper([&] {
            try {
                for (std::int64_t i = 0; i < kSteps; ++i) {
                    const auto rec = run.step();
                    if (!rec.guard.empty()) problems.add("step " + std::to_string(i) + ": " + rec.guard);
                    if (run.iteration() % 4 == 0) save_checkpoint(run, "", experts_, checkpoint);
                }
            } catch (const std::exception& e) {
                problems.add(std::string("stepping: ") + e.what());
            }
            done = true;
        });
        Joined joined(stepper);

        std::int64_t last_iteration = 0, reads = 0;
        std::size_t last_history = 0;
        const auto n = tiny().ipc * 3;
        while (!done) {
            ++reads;
            QCOMPARE(run.set("lr_img", reads % 2 ? "90" : "100"), std::string());
            QVERIFY(!run.set("ipc", "5").empty());  // fixed during a run: refused, nothing changes
            const auto iteration = run.iteration();
            QVERIFY(iteration >= last_iteration);
            last_iteration = iteration;
            QVERIFY(std::isfinite(run.lr()));
            const auto cfg = run.config();
            QVERIFY(cfg.lr_img == 90 || cfg.lr_img == 100);
            QCOMPARE(cfg.ipc, std::int64_t(2));
            const auto history = run.history();
            QVERIFY(history.size() >= last_history);
            last_history = history.size();
            for (std::size_t i = 0; i < history.size(); ++i) QCOMPARE(history[i].iteration, std::int64_t(i));
            QVERIFY(run.history_size() >= history.size());
            const auto piece = run.history_range(1, 3);
            for (std::size_t i = 0; i < piece.size(); ++i) QCOMPARE(piece[i].iteration, std::int64_t(i + 1));
            const auto changes = run.changes();
            for (std::size_t i = 1; i < changes.size(); ++i) QVERIFY(changes[i].iteration >= changes[i - 1].iteration);
            const auto experts = run.experts_info();
            QCOMPARE(experts.count, std::int64_t(2));
            QCOMPARE(experts.checkpoints, std::int64_t(4));
            QVERIFY(is_order_of(experts.order, experts.count));
            QVERIFY(experts.position >= 0 && experts.position <= static_cast<std::int64_t>(experts.order.size()));
            const auto state = run.export_state();
            QCOMPARE(static_cast<std::int64_t>(state.history.size()), state.iteration);  // one moment
            QCOMPARE(state.images.sizes().vec(), (std::vector<std::int64_t>{n, 1, 8, 8}));
            QCOMPARE(run.images().size(0), n);
            QCOMPARE(run.hard_labels().size(0), n);
            QCOMPARE(run.label_targets().size(0), n);
        }
        stepper.join();
        QVERIFY2(problems.text().empty(), problems.text().c_str());
        QCOMPARE(run.iteration(), kSteps);
        QVERIFY(reads > 1);
        QVERIFY(!run.changes().empty());  // the edits took effect between steps

        // The last checkpoint (after step kSteps) holds the run as it was then.
        const auto resumed = resume_run(checkpoint, data_, experts_);
        QCOMPARE(resumed->iteration(), kSteps);
        const auto saved = resumed->history(), now = run.history();
        QCOMPARE(saved.size(), now.size());
        for (std::size_t i = 0; i < saved.size(); ++i) QVERIFY(same_record(saved[i], now[i]));
        QVERIFY(resumed->images().equal(run.images()));
        QCOMPARE(resumed->experts_info().order, run.experts_info().order);
    }

    // The checkpoint copies the history a piece at a time: a history of several pieces and a
    // part is written whole, in order.
    void checkpointWritesALongHistoryInPieces() {
        DistillRun fresh(data_, experts_, tiny());
        auto state = fresh.export_state();
        constexpr std::int64_t kRecords = 700;
        for (std::int64_t i = 0; i < kRecords; ++i) {
            StepRecord r;
            r.iteration = i;
            r.loss = 1.0 / static_cast<double>(i + 1);
            r.lr = 0.01 + 1e-6 * static_cast<double>(i);
            r.expert = i % 2;
            r.start_epoch = i % 3;
            r.mode = i % 5 == 0 ? "exact" : "unrolled";
            r.memory_kind = "cpu";
            r.updated = i % 7 != 0;
            r.skip_reason = r.updated ? "" : "loss above threshold";
            state.history.push_back(r);
        }
        state.iteration = kRecords;
        const auto expected = state.history;
        const auto run = DistillRun::from_state(data_, experts_, std::move(state));
        const std::string path = file("long.dckpt");
        save_checkpoint(*run, "", experts_, path);
        const auto read = read_checkpoint_history(path);
        QCOMPARE(read.size(), expected.size());
        for (std::size_t i = 0; i < read.size(); ++i) QVERIFY2(same_record(read[i], expected[i]), qPrintable(QString::number(i)));
        QCOMPARE(resume_run(path, data_, experts_)->history_size(), expected.size());
    }

    // The workbench's protocol from its UI thread while the worker steps: edits, reads, pause,
    // resume and stop at any moment, and an abort (the worker destroyed) in the middle of a run.
    // Nothing listens to the worker's signals: their copies reach the UI thread through Qt's event
    // queue, whose locking ThreadSanitizer cannot see (scripts/tsan.sh says more).
    void workerDrivenWhileItRuns() {
        auto worker = std::make_unique<RunWorker>();
        const auto saved_iteration = [&worker]() -> qint64 {
            try {
                return read_checkpoint_info(worker->checkpointPath().toStdString()).iteration;
            } catch (const std::exception&) {
                return -1;  // not written yet
            }
        };
        worker->setEmitIntervals(0, 0);
        worker->setCheckpointEvery(2);
        worker->prepare(tinySetup());
        worker->start();
        QTRY_VERIFY_WITH_TIMEOUT(worker->iteration() >= 3, kTimeout);

        for (int i = 0; i < 360; ++i) {
            QCOMPARE(worker->setHyperparameter("lr_img", i % 2 ? "90" : "100"), QString());
            QVERIFY(!worker->setHyperparameter("ipc", "5").isEmpty());
            QVERIFY(worker->hyperparameters().contains("lr_img"));
            QVERIFY(!worker->engineValue("lr_img").isEmpty());
            QVERIFY(worker->hasRun());
            QVERIFY(worker->checkpointPath().endsWith("checkpoint.dckpt"));
            worker->state();
            worker->iteration();
            // Requests land while the worker steps, saves or reports: a stop just after a pause
            // arrives while the pause is being saved, and a new run starts.
            if (i % 12 == 3 || i % 12 == 9) worker->pause();
            if (i % 12 == 3 + (i / 12) % 3) worker->stop();
            if (i % 12 == 6) worker->start();
            if (i % 12 == 10) worker->resume();
            QTest::qWait(2);
        }

        worker->pause();
        QTRY_COMPARE_WITH_TIMEOUT(worker->state(), WorkerState::Paused, kTimeout);
        const qint64 paused_at = worker->iteration();
        QCOMPARE(worker->setHyperparameter("lr_img", "77"), QString());
        QTest::qWait(200);
        QCOMPARE(worker->iteration(), paused_at);  // nothing steps while paused
        QTRY_COMPARE_WITH_TIMEOUT(saved_iteration(), paused_at, kTimeout);  // a pause saves the run
        worker->resume();
        QTRY_VERIFY_WITH_TIMEOUT(worker->iteration() > paused_at + 1, kTimeout);
        QCOMPARE(worker->engineValue("lr_img").toDouble(), 77.0);  // taken at the next step
        const QString checkpoint = worker->checkpointPath();
        worker->stop();
        QTRY_COMPARE_WITH_TIMEOUT(worker->state(), WorkerState::Ready, kTimeout);
        QVERIFY(QFileInfo::exists(checkpoint));
        QCOMPARE(read_checkpoint_info(checkpoint.toStdString()).iteration, worker->iteration());

        // A new run, then the worker goes away while it steps: it stops at its next safe point.
        worker->start();
        QTRY_VERIFY_WITH_TIMEOUT(worker->state() == WorkerState::Running && worker->iteration() >= 1, kTimeout);
        worker.reset();
    }

    // An export over an existing file replaces it by a rename: the folder never loses the file,
    // not even for a moment (inotify sees no deletion), and it ends up with the new image.
    void exportReplacesAnExistingFileInOneStep() {
        const QString dir = tmp_.filePath("export");
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + "/grid.png";
        QCOMPARE(ui::exportGridPng(two_images(0.0f), path, 2), QString());
        const cv::Mat before = cv::imread(path.toStdString(), cv::IMREAD_GRAYSCALE);
        QCOMPARE(int(before.at<unsigned char>(2, 2)), 0);

        const int fd = inotify_init1(IN_NONBLOCK);
        QVERIFY2(fd >= 0, std::strerror(errno));
        QVERIFY(inotify_add_watch(fd, QFile::encodeName(dir).constData(), IN_DELETE | IN_MOVED_TO) >= 0);
        QCOMPARE(ui::exportGridPng(two_images(1.0f), path, 2), QString());
        const QStringList deleted = inotify_names(fd, IN_DELETE);
        ::close(fd);
        QVERIFY2(!deleted.contains("grid.png"), "the old file was deleted before the new one took its name");

        const cv::Mat after = cv::imread(path.toStdString(), cv::IMREAD_GRAYSCALE);
        QCOMPARE(int(after.at<unsigned char>(2, 2)), 255);
        QCOMPARE(QDir(dir).entryList(QDir::Files), QStringList{"grid.png"});  // no temporary file left
    }

    // A failed export leaves the existing file as it was.
    void failedExportKeepsTheExistingFile() {
        const QString dir = tmp_.filePath("export-fails");
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + "/grid.png";
        QCOMPARE(ui::exportGridPng(two_images(0.0f), path, 2), QString());
        QFile old(path);
        QVERIFY(old.open(QIODevice::ReadOnly));
        const QByteArray bytes = old.readAll();
        old.close();
        // The temporary file's name is taken by a folder: the new image cannot be written.
        QVERIFY(QDir().mkpath(path + ".partial.png"));
        QVERIFY(!ui::exportGridPng(two_images(1.0f), path, 2).isEmpty());
        QVERIFY(old.open(QIODevice::ReadOnly));
        QCOMPARE(old.readAll(), bytes);
    }
};

QTEST_GUILESS_MAIN(TestThreads)
#include "tst_threads.moc"
