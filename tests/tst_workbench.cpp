// The workbench as a user drives it (offscreen): the real window, the real worker thread and the
// real engine on a tiny Fashion-MNIST run.
#include <QAction>
#include <QDockWidget>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QImage>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTranslator>
#include <QtTest>

#include <memory>

#include "distill/checkpoint.h"
#include "widgets/hyperparameter_panel.h"
#include "widgets/image_detail_dialog.h"
#include "widgets/image_grid_view.h"
#include "widgets/loss_plot_view.h"
#include "widgets/lr_plot_view.h"
#include "widgets/memory_plot_view.h"
#include "widgets/soft_label_view.h"
#include "workbench/image_export.h"
#include "workbench/main_window.h"

using namespace distillery::ui;

namespace {

// Small enough for seconds per test on two cores, large enough to be a real distillation:
// one width-8 expert of 3 epochs on 20 images per class, IPC 2, 2 student steps.
const char* kTinyPreset = R"(# tiny: for the workbench tests
include = quick
train_per_class = 20
net_width = 8
num_experts = 1
train_epochs = 3
ipc = 2
syn_steps = 2
expert_epochs = 1
max_start_epoch = 2
batch_syn = 0
lr_img = 100
lr_lr = 1e-7
Iteration = 100000
num_eval = 1
epoch_eval_train = 2
)";

constexpr int kTimeout = 120000;

}  // namespace

class TestWorkbench : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString preset_, experts_;

    std::unique_ptr<MainWindow> openWindow(const QStringList& overrides = {}) {
        StartOptions o;
        o.preset = preset_;
        o.experts_dir = experts_;
        o.runs_dir = tmp_.filePath("runs");
        o.overrides = overrides;
        o.remember = false;
        auto w = std::make_unique<MainWindow>(o);
        w->worker()->setEmitIntervals(0, 0);  // every step reaches the views at once
        w->show();
        return w;
    }

    static void waitForState(MainWindow& w, WorkerState s) {
        // The worker's own state, and the window having heard of it (its queued signal arrived).
        QTRY_VERIFY_WITH_TIMEOUT(w.worker()->state() == s && w.shownState() == s, kTimeout);
    }
    static void runUntil(MainWindow& w, qint64 iteration) {
        QTRY_VERIFY_WITH_TIMEOUT(w.worker()->iteration() >= iteration, kTimeout);
    }
    static void pauseAndWait(MainWindow& w) {
        w.action("pause")->trigger();
        waitForState(w, WorkerState::Paused);
        QCoreApplication::processEvents();  // the last queued snapshot
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(tmp_.isValid());
        preset_ = tmp_.filePath("tiny.preset");
        QFile f(preset_);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(kTinyPreset);
        f.close();
        experts_ = tmp_.filePath("experts");
    }

    void opensReadyOnFashionMnist() {
        auto w = openWindow();
        waitForState(*w, WorkerState::Ready);
        QVERIFY(w->action("start")->isEnabled());
        QVERIFY(!w->action("resume")->isEnabled());
        QCOMPARE(w->hyperparameterPanel()->fieldText("syn_steps"), QString("2"));
        QCOMPARE(w->hyperparameterPanel()->fieldText("gradient_mode"), QString("exact"));
    }

    void pauseChangeResumeUsesTheNewValue() {
        auto w = openWindow();
        w->action("start")->trigger();  // trains the missing expert first
        runUntil(*w, 2);
        pauseAndWait(*w);
        const qint64 paused_at = w->worker()->iteration();
        QCOMPARE(w->worker()->engineValue("lr_img").toDouble(), 100.0);

        auto* panel = w->hyperparameterPanel();
        panel->setFieldText("lr_img", "123");
        panel->setFieldText("syn_steps", "3");
        panel->apply();
        QVERIFY2(panel->messageText().contains("lr_img"), qPrintable(panel->messageText()));
        // Queued, not yet used: the engine changes at its next step.
        QCOMPARE(w->worker()->engineValue("lr_img").toDouble(), 100.0);
        QCOMPARE(w->worker()->iteration(), paused_at);

        w->action("resume")->trigger();
        runUntil(*w, paused_at + 2);
        pauseAndWait(*w);
        QCOMPARE(w->worker()->engineValue("lr_img").toDouble(), 123.0);
        QCOMPARE(w->worker()->engineValue("syn_steps"), QString("3"));
        // Both plots mark the change at the iteration it took effect.
        w->lossView()->refreshNow();
        QCOMPARE(w->lossView()->changeMarkCount(), 2);
        QCOMPARE(w->lrView()->changeMarkCount(), 2);
        QVERIFY(w->log().join('\n').contains("lr_img set to 123"));
    }

    void refusedValueLeavesTheRunUnchanged() {
        auto w = openWindow();
        w->action("start")->trigger();
        runUntil(*w, 1);
        pauseAndWait(*w);
        auto* panel = w->hyperparameterPanel();
        panel->setFieldText("lr_img", "-5");
        panel->setFieldText("syn_steps", "three");
        QSignalSpy applied(panel, &HyperparameterPanel::applied);
        panel->apply();
        QCOMPARE(applied.count(), 1);
        const auto refused = applied.first().at(1).value<QMap<QString, QString>>();
        QVERIFY(refused.contains("lr_img"));
        QVERIFY(refused.contains("syn_steps"));
        QVERIFY(panel->messageText().contains("refused"));
        // Fixed during a run: refused by the engine itself.
        QVERIFY(!w->worker()->setHyperparameter("ipc", "5").isEmpty());
        QVERIFY(!w->worker()->setHyperparameter("max_start_epoch", "50").isEmpty());  // beyond the experts

        const qint64 at = w->worker()->iteration();
        w->action("step")->trigger();
        runUntil(*w, at + 1);
        waitForState(*w, WorkerState::Paused);
        QCOMPARE(w->worker()->iteration(), at + 1);  // one step, then paused
        QCOMPARE(w->worker()->engineValue("lr_img").toDouble(), 100.0);
        QCOMPARE(w->worker()->engineValue("syn_steps"), QString("2"));
        QCOMPARE(w->worker()->engineValue("ipc"), QString("2"));
    }

    void everyViewReceivesData() {
        auto w = openWindow({"method=tesla", "label_mode=teacher"});
        w->action("start")->trigger();
        runUntil(*w, 3);
        pauseAndWait(*w);
        const qint64 done = w->worker()->iteration();

        QTRY_COMPARE_WITH_TIMEOUT(w->lossView()->stepCount(), static_cast<int>(done), 5000);
        QCOMPARE(w->lrView()->stepCount(), static_cast<int>(done));
        w->memoryView()->refreshNow();
        QVERIFY(w->memoryView()->runPointCount() >= 1);  // (mode, N) pairs seen by the run
        // Labelled as what it is on this CPU build.
        QVERIFY2(w->memoryView()->noteText().contains("CPU tensor memory"), qPrintable(w->memoryView()->noteText()));
        QCOMPARE(w->imageView()->imageCount(), 20);      // IPC 2 x 10 classes
        QVERIFY(w->statusText().contains(QString::number(done)));

        // The soft labels of TESLA's teacher: rows are distributions, and not one-hot.
        w->softLabelView()->refreshNow();
        const auto matrix = w->softLabelView()->classMatrix();
        QCOMPARE(matrix.size(), 100);
        for (int r = 0; r < 10; ++r) {
            double sum = 0;
            for (int c = 0; c < 10; ++c) sum += matrix[r * 10 + c];
            QVERIFY(qAbs(sum - 1.0) < 1e-3);
        }
        double entropy = 0;
        for (double e : w->softLabelView()->classEntropy()) entropy += e;
        QVERIFY(entropy > 0.01);
        QCOMPARE(w->latestImages().label_kind, QString("teacher"));

        // Clicking an image opens it large with its label distribution.
        auto* grid = w->imageView();
        grid->refreshNow();
        QTest::mouseClick(grid->canvas(), Qt::LeftButton, {}, grid->imageRect(3).center());
        QVERIFY(grid->detailDialog() != nullptr);
        QVERIFY(grid->detailDialog()->isVisible());
        QCOMPARE(grid->detailDialog()->index(), 3);

        // The memory sweep: every mode at N = 1 and 2, on the worker thread.
        auto* memory = w->memoryView();
        memory->stepsEdit()->setText("1,2");
        QSignalSpy finished(w->worker(), &RunWorker::sweepFinished);
        memory->sweepButton()->click();
        QVERIFY(finished.wait(kTimeout));
        QCoreApplication::processEvents();
        memory->refreshNow();
        QCOMPARE(memory->sweepPointCount(), 6);
        QCOMPARE(w->worker()->iteration(), done);  // measuring does not step the run

        // An invalid sweep is refused in the view with a message, and nothing is measured.
        memory->stepsEdit()->setText("1,-4");
        QSignalSpy requested(memory, &MemoryPlotView::sweepRequested);
        memory->sweepButton()->click();
        QCOMPARE(requested.count(), 0);
        QVERIFY(!memory->messageLabel()->text().isEmpty());
    }

    // The first images and labels of a run must not re-lay out the window: that moved every dock
    // and replotted every plot in one pass of the event loop, the longest stall of a run.
    void firstSnapshotKeepsTheWindowLayout() {
        auto w = openWindow();
        waitForState(*w, WorkerState::Ready);
        QCoreApplication::processEvents();
        const auto geometries = [&] {
            QMap<QString, QRect> g;
            g["window"] = w->geometry();
            g["images"] = QRect(w->imageView()->mapTo(w.get(), QPoint()), w->imageView()->size());
            for (auto* dock : w->findChildren<QDockWidget*>())
                if (dock->isVisible()) g[dock->objectName()] = dock->geometry();
            return g;
        };
        const auto before = geometries();
        QVERIFY(before.size() >= 5);

        w->action("step")->trigger();  // creates the run, steps once, pauses
        runUntil(*w, 1);
        waitForState(*w, WorkerState::Paused);
        QCoreApplication::processEvents();
        QVERIFY(!w->latestImages().isEmpty());
        w->imageView()->refreshNow();
        w->lossView()->refreshNow();
        w->lrView()->refreshNow();
        w->memoryView()->refreshNow();
        w->softLabelView()->refreshNow();  // drawn even while its dock is tabbed away
        for (int i = 0; i < 5; ++i) QCoreApplication::processEvents();  // the layout requests they posted
        const auto after = geometries();
        for (auto it = before.cbegin(); it != before.cend(); ++it)
            QVERIFY2(after.value(it.key()) == it.value(),
                     qPrintable(QString("%1 moved from %2,%3 %4x%5 to %6,%7 %8x%9")
                                    .arg(it.key())
                                    .arg(it.value().x()).arg(it.value().y()).arg(it.value().width()).arg(it.value().height())
                                    .arg(after.value(it.key()).x()).arg(after.value(it.key()).y())
                                    .arg(after.value(it.key()).width()).arg(after.value(it.key()).height())));

        // A view in a dock tabbed behind another is not redrawn until its tab is raised.
        auto* soft_dock = w->findChild<QDockWidget*>("dock_soft_labels");
        w->findChild<QDockWidget*>("dock_lr")->raise();
        QTRY_VERIFY(w->softLabelView()->visibleRegion().isEmpty());
        auto* soft = w->softLabelView()->coalescer();
        const int redraws = soft->redrawCount();
        w->softLabelView()->setImages(w->latestImages());
        QTest::qWait(3 * soft->interval());
        QCOMPARE(soft->redrawCount(), redraws);
        QVERIFY(soft->isDirty());
        soft_dock->raise();
        QTRY_COMPARE_WITH_TIMEOUT(soft->redrawCount(), redraws + 1, 5000);
    }

    // A view nobody can see (its dock tabbed away or closed) is not redrawn until it is shown.
    void hiddenViewsRedrawWhenShown() {
        QWidget view;
        int redraws = 0;
        auto* coalescer = new RepaintCoalescer(&view, [&] { ++redraws; }, 10);
        coalescer->setInterval(10);
        coalescer->markDirty();
        QTest::qWait(100);
        QCOMPARE(redraws, 0);
        QVERIFY(coalescer->isDirty());
        view.show();
        QTRY_COMPARE_WITH_TIMEOUT(redraws, 1, 2000);
        coalescer->markDirty();
        QTRY_COMPARE_WITH_TIMEOUT(redraws, 2, 2000);  // visible: at the next interval
        view.hide();
        coalescer->markDirty();
        QTest::qWait(100);
        QCOMPARE(redraws, 2);
        coalescer->flush();  // asked for explicitly: drawn, seen or not
        QCOMPARE(redraws, 3);
        QVERIFY(!coalescer->isDirty());
    }

    void exportWritesPngsOfTheRightSize() {
        auto w = openWindow();
        w->action("step")->trigger();
        runUntil(*w, 1);
        waitForState(*w, WorkerState::Paused);
        QTRY_VERIFY_WITH_TIMEOUT(!w->latestImages().isEmpty(), 5000);
        const auto& images = w->latestImages();
        QCOMPARE(images.count, 20);

        const QString grid = tmp_.filePath("grid.png");
        QCOMPARE(w->exportGrid(grid, 3), QString());
        const QImage png(grid);
        QVERIFY(!png.isNull());
        // 10 rows of 28*3 pixels and 2 columns, with 3-pixel gaps around and between.
        QCOMPARE(png.width(), 2 * 28 * 3 + 3 * 3);
        QCOMPARE(png.height(), 10 * 28 * 3 + 11 * 3);
        QCOMPARE(png.size(), gridPngSize(images, 3));
        // The first image's top-left pixel, as the engine's image says (grey, de-normalised).
        const int expected = qRound(images.pixels[0] * 255.0f);
        QVERIFY(qAbs(qGray(png.pixel(3, 3)) - expected) <= 1);

        const QString folders = tmp_.filePath("classes");
        QCOMPARE(w->exportClassFolders(folders, 2), QString());
        int files = 0;
        for (QDirIterator it(folders, {"*.png"}, QDir::Files, QDirIterator::Subdirectories); it.hasNext();) {
            const QImage one(it.next());
            QCOMPARE(one.size(), QSize(56, 56));
            ++files;
        }
        QCOMPARE(files, 20);
        QVERIFY(QDir(folders).exists("00_T-shirt_top"));

        // A folder that cannot exist: a clear message, and the earlier export is untouched.
        QFile blocker(tmp_.filePath("not_a_folder"));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        QVERIFY(!w->exportGrid(tmp_.filePath("not_a_folder/grid.png"), 3).isEmpty());
        QVERIFY(!w->exportClassFolders(tmp_.filePath("not_a_folder/x"), 1).isEmpty());
        QVERIFY(!w->exportGrid(grid, 0).isEmpty());  // scale out of range
        QCOMPARE(QImage(grid).size(), gridPngSize(images, 3));
    }

    void savedRunOpensAndContinues() {
        QString checkpoint;
        SyntheticImages saved;
        {
            auto w = openWindow();
            w->worker()->setCheckpointEvery(0);  // only when the run pauses
            w->action("start")->trigger();
            runUntil(*w, 2);
            pauseAndWait(*w);
            checkpoint = w->worker()->checkpointPath();
            QVERIFY2(QFileInfo::exists(checkpoint), qPrintable(checkpoint));
            QVERIFY(checkpoint.startsWith(tmp_.filePath("runs")));
            QTRY_COMPARE_WITH_TIMEOUT(w->latestImages().iteration, w->worker()->iteration(), 5000);
            saved = w->latestImages();
            w->action("stop")->trigger();
        }
        auto w = openWindow();
        // Not a checkpoint: a message, and nothing is opened.
        const QString junk = tmp_.filePath("junk.dckpt");
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a checkpoint");
        f.close();
        w->openRun(junk);
        QTRY_VERIFY_WITH_TIMEOUT(w->log().join('\n').contains("Cannot open"), kTimeout);
        QVERIFY(!w->worker()->hasRun());

        w->openRun(checkpoint);
        waitForState(*w, WorkerState::Paused);
        QCOMPARE(w->worker()->iteration(), saved.iteration);
        QTRY_COMPARE_WITH_TIMEOUT(w->latestImages().iteration, saved.iteration, 5000);
        QCOMPARE(w->latestImages().pixels, saved.pixels);  // exactly the saved images
        QTRY_COMPARE_WITH_TIMEOUT(w->lossView()->stepCount(), static_cast<int>(saved.iteration), 5000);
        w->action("resume")->trigger();
        runUntil(*w, saved.iteration + 2);
        pauseAndWait(*w);
        QCOMPARE(w->worker()->checkpointPath(), checkpoint);  // it goes on saving where it was
        QCOMPARE(static_cast<qint64>(distillery::read_checkpoint_info(checkpoint.toStdString()).iteration), w->worker()->iteration());
    }

    void guardPausesTheRunWithAMessage() {
        // An lr_img so large the images overflow: the engine rolls the step back, the run pauses.
        auto w = openWindow({"lr_img=1e300"});
        w->action("start")->trigger();
        waitForState(*w, WorkerState::Paused);
        QCOMPARE(w->worker()->iteration(), qint64(0));
        QTRY_VERIFY2_WITH_TIMEOUT(w->log().join('\n').contains("infinite or NaN"), qPrintable(w->log().join('\n')), 5000);
        // The suggested fix, then on.
        QVERIFY(w->worker()->setHyperparameter("lr_img", "100").isEmpty());
        w->action("resume")->trigger();
        runUntil(*w, 2);
        pauseAndWait(*w);
        QCOMPARE(w->worker()->engineValue("lr_img").toDouble(), 100.0);
    }

    void germanTranslation() {
        QTranslator german;
        QVERIFY2(german.load(QStringLiteral(DISTILLERY_QM_DE)), DISTILLERY_QM_DE);
        QCoreApplication::installTranslator(&german);
        auto w = openWindow();
        QCOMPARE(w->action("start")->text(), QString("&Starten"));
        QCOMPARE(w->action("pause")->text(), QString("&Pause"));
        QVERIFY(w->windowTitle().contains("Werkbank"));
        QCoreApplication::removeTranslator(&german);
    }
};

QTEST_MAIN(TestWorkbench)
#include "tst_workbench.moc"
