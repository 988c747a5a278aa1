// The workbench as a user drives it (offscreen): the real window, the real worker thread and the
// real engine on a tiny Fashion-MNIST run.
#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QProcess>
#include <QSet>
#include <QSettings>
#include <QTabBar>
#include <QTimer>
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
#include <QDialog>
#include <QTableWidget>
#include <QCheckBox>

#include <clocale>
#include <cstdlib>
#include <memory>

#include "common/error.h"
#include "common/folder_lock.h"
#include "config/settings.h"
#include "distill/checkpoint.h"
#include "expert/expert_trainer.h"
#include "widgets/hyperparameter_panel.h"
#include "widgets/image_detail_dialog.h"
#include "widgets/image_grid_view.h"
#include "widgets/loss_plot_view.h"
#include "widgets/lr_plot_view.h"
#include "widgets/memory_plot_view.h"
#include "widgets/soft_label_view.h"
#include "eval/evaluate.h"
#include "workbench/cross_evaluation_dialog.h"
#include "workbench/view_records.h"
#include "workbench/image_export.h"
#include "workbench/main_window.h"
#include "workbench/run_comparison_window.h"

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

constexpr int kTimeout = 60000;

}  // namespace

class TestWorkbench : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString preset_, experts_;
    QTranslator german_;

    // At the user's pace the worker sends steps and images at its own intervals, as in the app;
    // otherwise every step reaches the views at once.
    enum class Pace { Immediate, User };
    std::unique_ptr<MainWindow> openWindow(const QStringList& overrides = {}, Pace pace = Pace::Immediate) {
        StartOptions o;
        o.preset = preset_;
        o.experts_dir = experts_;
        o.runs_dir = tmp_.filePath("runs");
        o.overrides = overrides;
        o.remember = false;
        auto w = std::make_unique<MainWindow>(o);
        w->resize(1400, 900);  // a desktop's window, whatever the offscreen screen's size
        if (pace == Pace::Immediate) w->worker()->setEmitIntervals(0, 0);
        w->show();
        return w;
    }
    static void press(MainWindow& w, int key, Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
        QTest::keyClick(&w, static_cast<Qt::Key>(key), modifiers);
    }

    // Pixels of `image` within `area` that are within `tolerance` of `color` in every channel.
    static int pixelsLike(const QImage& image, const QRect& area, const QColor& color, int tolerance = 30) {
        int n = 0;
        const QRect clipped = area.intersected(image.rect());
        for (int y = clipped.top(); y <= clipped.bottom(); ++y)
            for (int x = clipped.left(); x <= clipped.right(); ++x) {
                const QColor p = image.pixelColor(x, y);
                n += qAbs(p.red() - color.red()) <= tolerance && qAbs(p.green() - color.green()) <= tolerance &&
                     qAbs(p.blue() - color.blue()) <= tolerance;
            }
        return n;
    }
    static int distinctColours(const QImage& image) {
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2) colours.insert(image.pixel(x, y));
        return colours.size();
    }
    // Raises a tabbed dock the way a person does: a click on its tab.
    static void clickTab(MainWindow& w, const QString& title) {
        for (QTabBar* bar : w.findChildren<QTabBar*>())
            for (int i = 0; i < bar->count(); ++i)
                if (bar->tabText(i) == title) {
                    QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(i).center());
                    return;
                }
        QFAIL(qPrintable("no tab " + title));
    }
    // Every view shows the run, read from what is on screen: the plots' graphs and their pixels,
    // the images drawn, the soft-label map. No refreshNow(): the views draw on their own timers.
    void checkEveryViewShowsTheRun(MainWindow& w, int done) {
        QTRY_COMPARE_WITH_TIMEOUT(w.lossView()->shownCount(), done, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(w.lrView()->shownCount(), done, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(w.imageView()->shownCount(), 20, 5000);

        auto* loss_plot = w.lossView()->plot();
        const QImage loss = loss_plot->grab().toImage();
        // The smoothed loss is a dark 2-pixel line inside the axes: dozens of its pixels.
        QVERIFY2(pixelsLike(loss, loss_plot->axisRect()->rect(), QColor(40, 40, 40), 25) > 20, "no loss curve on screen");
        clickTab(w, w.findChild<QDockWidget*>("dock_lr")->windowTitle());
        auto* lr_plot = w.lrView()->plot();
        QTRY_VERIFY_WITH_TIMEOUT(pixelsLike(lr_plot->grab().toImage(), lr_plot->axisRect()->rect(), QColor(148, 103, 189)) > 20, 5000);
        QCOMPARE(lr_plot->graph(0)->dataCount(), done);
        QVERIFY(distinctColours(w.imageView()->grab().toImage()) > 20);  // images, not a blank canvas

        // The soft labels' dock is tabbed behind: raised by its tab, it draws the run's labels.
        clickTab(w, w.findChild<QDockWidget*>("dock_soft_labels")->windowTitle());
        QTRY_COMPARE_WITH_TIMEOUT(w.softLabelView()->shownCount(), 20, 5000);
        QVERIFY(distinctColours(w.softLabelView()->grab().toImage()) > 20);
        clickTab(w, w.findChild<QDockWidget*>("dock_memory")->windowTitle());
        QTRY_VERIFY_WITH_TIMEOUT(w.memoryView()->shownCount() >= 1, 5000);
    }

    static void waitForState(MainWindow& w, WorkerState s) {
        // The worker's own state, and the window having heard of it (its queued signal arrived).
        QTRY_VERIFY_WITH_TIMEOUT(w.worker()->state() == s && w.shownState() == s, kTimeout);
    }
    static void runUntil(MainWindow& w, qint64 iteration) {
        QTRY_VERIFY2_WITH_TIMEOUT(w.worker()->iteration() >= iteration, qPrintable(w.log().join('\n')), kTimeout);
    }
    static void pauseAndWait(MainWindow& w) {
        w.action("pause")->trigger();
        waitForState(w, WorkerState::Paused);
        QCoreApplication::processEvents();  // the last queued snapshot
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        // Under a German system locale (tst_workbench_de), the interface is German, as in the app.
        if (qEnvironmentVariable("LANG").startsWith("de_DE")) {
            // The C library's locale too, or this run would not test what a German desktop does.
            QVERIFY2(QString(setlocale(LC_NUMERIC, nullptr)).startsWith("de_DE"), "de_DE.UTF-8 is not installed");
            QVERIFY2(german_.load(QStringLiteral(DISTILLERY_QM_DE)), DISTILLERY_QM_DE);
            QCoreApplication::installTranslator(&german_);
        }
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
            // Not the tiny preset's IPC 2 and exact gradient: the window that opens the run must show the run's.
            auto w = openWindow({"ipc=3", "gradient_mode=unrolled"});
            w->worker()->setCheckpointEvery(0);  // only when the run pauses
            w->action("start")->trigger();
            runUntil(*w, 2);
            pauseAndWait(*w);
            checkpoint = w->worker()->checkpointPath();
            QVERIFY2(QFileInfo::exists(checkpoint), qPrintable(checkpoint + "\n" + w->log().join(QChar(10))));
            QVERIFY(checkpoint.startsWith(tmp_.filePath("runs")));
            // The run's folder is held: another run (here, as `distill --resume` would) is refused.
            try {
                distillery::FolderLock other(QFileInfo(checkpoint).absolutePath().toStdString(), "another run");
                QFAIL("the workbench's run folder was not locked");
            } catch (const distillery::Error& e) {
                QVERIFY2(std::string(e.what()).find("in use by another run (the Distillery workbench") != std::string::npos,
                         e.what());
            }
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
        // The log says the run was opened, not that one started.
        QTRY_VERIFY_WITH_TIMEOUT(w->log().join('\n').contains("Opened " + checkpoint), 5000);
        QVERIFY2(!w->log().join('\n').contains("Run started"), qPrintable(w->log().join('\n')));
        QTRY_COMPARE_WITH_TIMEOUT(w->latestImages().iteration, saved.iteration, 5000);
        QCOMPARE(w->latestImages().pixels, saved.pixels);  // exactly the saved images
        QTRY_COMPARE_WITH_TIMEOUT(w->lossView()->stepCount(), static_cast<int>(saved.iteration), 5000);
        // The setup shows the opened run's settings, not the preset the window started with.
        const QString folder = QFileInfo(checkpoint).absolutePath();
        auto* preset = w->findChild<QComboBox*>("setup_preset");
        QTRY_COMPARE_WITH_TIMEOUT(preset->currentText(), "Saved run: " + QFileInfo(folder).fileName(), 5000);
        QCOMPARE(w->findChild<QSpinBox*>("setup_ipc")->value(), 3);
        QCOMPARE(w->findChild<QComboBox*>("setup_gradient_mode")->currentText(), QString("unrolled"));
        QCOMPARE(QFileInfo(w->findChild<QLineEdit*>("setup_experts_dir")->text()).canonicalFilePath(), QFileInfo(experts_).canonicalFilePath());
        auto* data = w->findChild<QComboBox*>("setup_data");
        QCOMPARE(data->currentData().toString(), QString("preset"));  // the run's own data set
        QVERIFY(!preset->isEnabled());  // fixed while the opened run is paused
        w->action("resume")->trigger();
        runUntil(*w, saved.iteration + 2);
        pauseAndWait(*w);
        QCOMPARE(w->worker()->checkpointPath(), checkpoint);  // it goes on saving where it was
        QCOMPARE(static_cast<qint64>(distillery::read_checkpoint_info(checkpoint.toStdString()).iteration), w->worker()->iteration());

        // Stopped, Start begins a new run with the opened run's settings, in a folder of its own.
        w->action("stop")->trigger();
        waitForState(*w, WorkerState::Ready);
        QVERIFY(preset->isEnabled());
        press(*w, Qt::Key_R, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(!w->worker()->checkpointPath().isEmpty() && w->worker()->checkpointPath() != checkpoint, kTimeout);
        runUntil(*w, 1);
        pauseAndWait(*w);
        QTRY_COMPARE_WITH_TIMEOUT(w->latestImages().count, 3 * 10, 5000);
        QCOMPARE(w->worker()->engineValue("gradient_mode"), QString("unrolled"));
        QVERIFY(w->worker()->checkpointPath() != checkpoint);
        w->action("stop")->trigger();
        waitForState(*w, WorkerState::Ready);
        // Choosing a preset again leaves the opened run's settings behind, and gives back the data
        // set chosen before; the saved run stays in the list to come back to.
        const int saved_item = preset->currentIndex();
        preset->setCurrentIndex(preset->findText(preset_));
        QCOMPARE(w->findChild<QSpinBox*>("setup_ipc")->value(), 2);
        QCOMPARE(w->findChild<QComboBox*>("setup_gradient_mode")->currentText(), QString("exact"));
        QCOMPARE(data->currentData().toString(), QString("fashion-mnist"));
        QVERIFY(w->currentSetup().settings_text.isEmpty());
        preset->setCurrentIndex(saved_item);
        QCOMPARE(w->findChild<QSpinBox*>("setup_ipc")->value(), 3);
        QCOMPARE(data->currentData().toString(), QString("preset"));
        QVERIFY(!w->currentSetup().settings_text.isEmpty());
        // A preset with other data (quick's 1,000 images per class): loaded, the window is ready
        // again beside the stopped run, not left saying it loads.
        QVERIFY(w->worker()->hasRun());  // the stopped run is still there to export or evaluate
        preset->setCurrentIndex(preset->findText("quick"));
        QTRY_VERIFY_WITH_TIMEOUT(w->findChild<QLabel*>("setup_data_summary")->text().contains("10000 training"), kTimeout);
        waitForState(*w, WorkerState::Ready);
        QVERIFY(w->action("start")->isEnabled());
    }

    void finishedRunIsLoggedOnce() {
        auto w = openWindow({"Iteration=2"});
        w->action("start")->trigger();
        waitForState(*w, WorkerState::Finished);
        const QString finished = QStringLiteral("Finished: 2 iterations");
        QTRY_COMPARE_WITH_TIMEOUT(w->log().filter(finished).size(), 1, 5000);
        // An evaluation of the finished run returns to Finished without a second "Finished".
        const QString scores = QStringLiteral("synthetic set scores");
        const qsizetype evaluations = w->log().filter(scores).size();
        QVERIFY(w->action("evaluate")->isEnabled());
        w->action("evaluate")->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w->log().filter(scores).size(), evaluations + 1, kTimeout);
        waitForState(*w, WorkerState::Finished);
        QCOMPARE(w->log().filter(finished).size(), 1);
    }

    void guardPausesTheRunWithAMessage() {
        // An lr_lr so large the learned lr jumps below zero: the engine rolls the step back, the run pauses.
        auto w = openWindow({"lr_lr=1"});
        w->action("start")->trigger();
        waitForState(*w, WorkerState::Paused);
        QCOMPARE(w->worker()->iteration(), qint64(0));
        QTRY_VERIFY2_WITH_TIMEOUT(w->log().join('\n').contains("went negative"), qPrintable(w->log().join('\n')), 5000);
        // The suggested fix, then on.
        QVERIFY(w->worker()->setHyperparameter("lr_lr", "1e-7").isEmpty());
        w->action("resume")->trigger();
        runUntil(*w, 2);
        pauseAndWait(*w);
        QCOMPARE(w->worker()->engineValue("lr_lr").toDouble(), 1e-7);
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

    // A person's path: the real window, large as on a desktop, started and paused with keys, the
    // worker at its own pace. Every live view must show the run without anything forcing a redraw.
    void liveViewsDrawARunStartedWithKeys() {
        auto w = openWindow({"method=tesla"}, Pace::User);
        w->resize(1600, 1000);
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        waitForState(*w, WorkerState::Ready);
        press(*w, Qt::Key_R, Qt::ControlModifier);  // Start
        runUntil(*w, 4);
        press(*w, Qt::Key_P, Qt::ControlModifier);  // Pause
        waitForState(*w, WorkerState::Paused);
        checkEveryViewShowsTheRun(*w, static_cast<int>(w->worker()->iteration()));
        // Paused: the status says where it is, with neither speed nor time left.
        const auto main_tr = [](const char* text) { return QCoreApplication::translate("distillery::ui::MainWindow", text); };
        const qint64 at = w->worker()->iteration();
        QVERIFY2(w->statusText().endsWith(" · " + main_tr("Iteration %1 / %2").arg(at).arg(100000)), qPrintable(w->statusText()));
        const QString log = w->log().join('\n');
        QCOMPARE(log.count(QCoreApplication::translate("distillery::ui::RunWorker", "Run started: %1 iterations").arg(100000)), 1);
        QCOMPARE(log.count(main_tr("Paused at iteration %1").arg(at)), 1);
    }

    // The same under a German system locale (LANG=de_DE.UTF-8), where strtod reads "0.01" as 0:
    // decimal values typed in the panel are accepted, and refusals read in German without the
    // preset's name.
    void germanLocaleAcceptsDecimals() {
        const std::string saved = setlocale(LC_ALL, nullptr);
        QVERIFY2(setlocale(LC_ALL, "de_DE.UTF-8") != nullptr, "the de_DE.UTF-8 locale is not installed (scripts/setup-debian.sh)");
        QCOMPARE(QString::number(strtod("0.5", nullptr)), QString("0"));  // the trap this guards against
        QTranslator german;
        QVERIFY(german.load(QStringLiteral(DISTILLERY_QM_DE)));
        QCoreApplication::installTranslator(&german);
        const QLocale before;
        QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
        {
            auto w = openWindow();
            waitForState(*w, WorkerState::Ready);
            auto* panel = w->hyperparameterPanel();
            panel->setFieldText("lr_lr", "0.0000002");
            panel->setFieldText("lr_img", "150,5");  // a German decimal comma
            panel->setFieldText("syn_steps", "100000000");
            QSignalSpy applied(panel, &HyperparameterPanel::applied);
            QTest::mouseClick(panel->applyButton(), Qt::LeftButton);
            QCOMPARE(applied.count(), 1);
            const auto accepted = applied.first().at(0).value<QMap<QString, QString>>();
            const auto refused = applied.first().at(1).value<QMap<QString, QString>>();
            QVERIFY2(accepted.contains("lr_lr") && accepted.contains("lr_img"), qPrintable(panel->messageText()));
            QVERIFY(refused.contains("syn_steps"));
            QVERIFY2(refused.value("syn_steps").contains("muss zwischen 1 und 10000 liegen"), qPrintable(refused.value("syn_steps")));
            QVERIFY(!refused.value("syn_steps").contains("preset"));
            QVERIFY2(panel->messageText().contains("abgelehnt"), qPrintable(panel->messageText()));

            press(*w, Qt::Key_F10);  // the run starts with the typed values
            runUntil(*w, 1);
            waitForState(*w, WorkerState::Paused);
            QCOMPARE(w->worker()->engineValue("lr_lr").toDouble(), 2e-7);
            QCOMPARE(w->worker()->engineValue("lr_img").toDouble(), 150.5);
            QCOMPARE(w->worker()->engineValue("syn_steps"), QString("2"));
        }
        QLocale::setDefault(before);
        QCoreApplication::removeTranslator(&german);
        setlocale(LC_ALL, saved.c_str());
    }

    // --set method=... shows that method in the Method box, and DATM on a preset made for MTT has a
    // valid window; the panel shows the fields of the chosen method only.
    void methodFromTheCommandLineIsShown() {
        {
            auto w = openWindow({"method=tesla"});
            QCOMPARE(w->findChild<QComboBox*>("method")->currentData().toString(), QString("tesla"));
            QVERIFY(!w->hyperparameterPanel()->isFieldShown("current_max_start_epoch"));
            QVERIFY(!w->hyperparameterPanel()->isFieldShown("lr_y"));
        }
        auto w = openWindow({"method=datm", "pix_init=real"});
        QCOMPARE(w->findChild<QComboBox*>("method")->currentData().toString(), QString("datm"));
        waitForState(*w, WorkerState::Ready);
        QVERIFY(w->hyperparameterPanel()->isFieldShown("current_max_start_epoch"));
        QVERIFY(w->hyperparameterPanel()->isFieldShown("lr_y"));
        press(*w, Qt::Key_F10);
        runUntil(*w, 1);
        waitForState(*w, WorkerState::Paused);
        QCOMPARE(w->worker()->engineValue("current_max_start_epoch"), QString("1"));  // tiny: max_start_epoch = 2
        QVERIFY2(!w->log().join('\n').contains("Error"), qPrintable(w->log().join('\n')));
    }

    // F10 then Stop: the checkpoint holds the step, and the log says what happened, once each.
    void stopAfterStepKeepsTheStep() {
        auto w = openWindow();
        w->worker()->setCheckpointEvery(0);
        waitForState(*w, WorkerState::Ready);
        press(*w, Qt::Key_F10);
        runUntil(*w, 1);
        waitForState(*w, WorkerState::Paused);
        press(*w, Qt::Key_F10);
        runUntil(*w, 2);
        waitForState(*w, WorkerState::Paused);
        press(*w, Qt::Key_Period, Qt::ControlModifier);  // Stop
        waitForState(*w, WorkerState::Ready);
        const QString checkpoint = w->worker()->checkpointPath();
        QCOMPARE(static_cast<qint64>(distillery::read_checkpoint_info(checkpoint.toStdString()).iteration), qint64(2));
        // The run folder holds what distillery-cli writes.
        const QDir folder = QFileInfo(checkpoint).dir();
        for (const char* name : {"metrics.csv", "settings.preset", "synthetic.dsyn"}) QVERIFY2(folder.exists(name), name);
        QFile metrics(folder.filePath("metrics.csv"));
        QVERIFY(metrics.open(QIODevice::ReadOnly));
        QCOMPARE(QString(metrics.readAll()).count("\nstep,"), 2);
        const QString log = w->log().join('\n');
        QCOMPARE(log.count("Stepped to iteration"), 2);
        QCOMPARE(log.count("Stopped at iteration 2"), 1);
    }

    // Stopping an evaluation is not an error, and leaves no stale progress behind.
    void stopDuringEvaluationIsClean() {
        auto w = openWindow({"epoch_eval_train=3000"});
        waitForState(*w, WorkerState::Ready);
        press(*w, Qt::Key_F10);
        runUntil(*w, 1);
        waitForState(*w, WorkerState::Paused);
        press(*w, Qt::Key_F9);  // Evaluate now
        auto* progress = w->findChild<QLabel*>("progress_label");
        QTRY_VERIFY_WITH_TIMEOUT(progress->text().contains("evaluation"), kTimeout);
        press(*w, Qt::Key_Period, Qt::ControlModifier);  // Stop
        waitForState(*w, WorkerState::Ready);
        const QString log = w->log().join('\n');
        QVERIFY2(!log.contains("Error"), qPrintable(log));
        QVERIFY(log.contains("Evaluation stopped"));
        QCOMPARE(progress->text(), QString());
    }

    // With --no-settings nothing is written to the settings file, exports included; the export
    // dialog opens in the run's folder.
    void noSettingsWritesNothingAndExportsOpenInTheRunFolder() {
        const QString config = QSettings().fileName();  // where the app's settings would go
        QFile::remove(config);
        auto w = openWindow();
        waitForState(*w, WorkerState::Ready);
        press(*w, Qt::Key_F10);
        runUntil(*w, 1);
        waitForState(*w, WorkerState::Paused);
        const QString run_folder = QFileInfo(w->worker()->checkpointPath()).absolutePath();
        const QString target = QDir(run_folder).filePath("synthetic_grid.png");  // the name the dialog offers
        QString dialog_folder;
        // Answer the two dialogs as a person would: a scale, then the file name offered.
        QTimer answer;
        connect(&answer, &QTimer::timeout, this, [&] {
            QWidget* modal = QApplication::activeModalWidget();
            if (auto* scale = qobject_cast<QInputDialog*>(modal)) {
                scale->setIntValue(2);
                scale->accept();
            } else if (auto* files = qobject_cast<QFileDialog*>(modal)) {
                dialog_folder = files->directory().absolutePath();
                QMetaObject::invokeMethod(files, "accept", Qt::QueuedConnection);
            }
        });
        answer.start(50);
        w->action("export_grid")->trigger();
        answer.stop();
        QCOMPARE(dialog_folder, run_folder);
        QTRY_VERIFY2_WITH_TIMEOUT(QFileInfo::exists(target), qPrintable(w->log().join('\n')), 5000);
        w->close();
        QVERIFY2(!QFileInfo::exists(config), qPrintable(config));
    }

    // Accuracy during the run: evaluations every eval_it iterations reach the loss plot as points
    // with error bars on the right-hand axis, and the run folder's metrics.csv.
    void evaluatesDuringTheRunAndShowsAccuracy() {
        QVERIFY(distillery::load_preset("quick").integer("eval_it") > 0);  // the default preset does
        auto w = openWindow({"eval_it=2", "num_eval=2"});
        waitForState(*w, WorkerState::Ready);
        press(*w, Qt::Key_R, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(w->lossView()->evaluationCount() >= 1, kTimeout);
        press(*w, Qt::Key_P, Qt::ControlModifier);
        waitForState(*w, WorkerState::Paused);
        auto* plot = w->lossView()->plot();
        // The accuracy series appears with the view's next redraw, on its own timer.
        const auto accuracyGraph = [plot]() -> QCPGraph* {
            for (int i = 0; i < plot->graphCount(); ++i)
                if (plot->graph(i)->valueAxis() == plot->yAxis2 && plot->graph(i)->dataCount() >= 1) return plot->graph(i);
            return nullptr;
        };
        QTRY_VERIFY_WITH_TIMEOUT(accuracyGraph() != nullptr, 5000);
        QCPGraph* accuracy = accuracyGraph();
        QCOMPARE(accuracy->data()->begin()->key, 2.0);  // evaluated after iteration 2
        QVERIFY(plot->yAxis2->visible());
        QCPErrorBars* bars = nullptr;
        for (int i = 0; i < plot->plottableCount(); ++i)
            if (auto* b = qobject_cast<QCPErrorBars*>(plot->plottable(i))) bars = b;
        QVERIFY(bars != nullptr && bars->dataCount() == accuracy->dataCount());
        QFile metrics(QFileInfo(w->worker()->checkpointPath()).dir().filePath("metrics.csv"));
        QVERIFY(metrics.open(QIODevice::ReadOnly));
        const QString rows = QString::fromUtf8(metrics.readAll());
        QVERIFY(rows.contains("\neval,"));
        // Beside the set, the random real baseline of the same size, once evaluated and drawn at
        // every evaluation: a series of its own on the accuracy axis.
        QVERIFY2(rows.contains("random real, hard labels"), qPrintable(rows));
        QTRY_VERIFY_WITH_TIMEOUT(
            [plot] {
                for (int i = 0; i < plot->graphCount(); ++i)
                    if (plot->graph(i)->name().contains("random real, hard labels") && plot->graph(i)->dataCount() >= 1)
                        return true;
                return false;
            }(),
            5000);
    }

    // Run → Evaluate on other networks… (Ctrl+F9): the networks ticked with the mouse are trained
    // on the set, each beside the random real baselines (hard and, for teacher labels, soft), and
    // the table fills; the run folder's metrics name each network.
    void evaluatesOnOtherNetworksFromTheRunMenu() {
        auto w = openWindow({"label_mode=teacher"});
        waitForState(*w, WorkerState::Ready);
        press(*w, Qt::Key_F10);
        runUntil(*w, 1);
        waitForState(*w, WorkerState::Paused);
        press(*w, Qt::Key_F9, Qt::ControlModifier);
        QDialog* dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = w->findChild<QDialog*>("cross_evaluation")) && dialog->isVisible(), 5000);
        auto* evaluate = dialog->findChild<QPushButton*>("cross_evaluate");
        QVERIFY(!evaluate->isEnabled());  // nothing ticked yet
        for (const char* name : {"network_mlp", "network_convnetbn"}) {
            auto* box = dialog->findChild<QCheckBox*>(name);
            QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(8, box->height() / 2));
            QVERIFY(box->isChecked());
        }
        QVERIFY(dialog->findChild<QCheckBox*>("with_baselines")->isChecked());
        QTRY_VERIFY(evaluate->isEnabled());
        QTest::mouseClick(evaluate, Qt::LeftButton);
        auto* table = dialog->findChild<QTableWidget*>("cross_results");
        // Two networks x (the set, the hard baseline, the teacher-label baseline), all filled.
        QTRY_VERIFY2_WITH_TIMEOUT(table->rowCount() == 2 && table->columnCount() == 3 && table->item(1, 2) != nullptr,
                                  qPrintable(w->log().join('\n')), kTimeout);
        QCOMPARE(table->verticalHeaderItem(0)->text(), QStringLiteral("convnetbn"));
        QCOMPARE(table->verticalHeaderItem(1)->text(), QStringLiteral("mlp"));
        for (int r = 0; r < 2; ++r)
            for (int c = 0; c < 3; ++c) QVERIFY2(table->item(r, c)->text().endsWith("%"), qPrintable(table->item(r, c)->text()));
        QVERIFY(table->horizontalHeaderItem(2)->text().contains("teacher"));
        QTRY_VERIFY(evaluate->isEnabled());  // finished: it can run again
        const QString metrics = QFileInfo(w->worker()->checkpointPath()).dir().filePath("metrics.csv");
        const auto metrics_text = [&metrics] {
            QFile f(metrics);
            return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
        };
        QTRY_VERIFY2_WITH_TIMEOUT(metrics_text().contains(",mlp"), qPrintable(metrics_text()), 5000);
    }

    // A network whose training diverged (AlexNet at a ConvNet set's lr) is named in its cell, with
    // the reason on hover, where the table showed only its chance-level accuracy. The worker hands the
    // dialog eval_point(result) as here; the run cannot be made to diverge from the window.
    void crossEvaluationNamesDivergedNetworks() {
        CrossEvaluationDialog dialog;
        dialog.show();
        distillery::EvalResult diverged;
        diverged.accuracies = {0.1, 0.1};
        diverged.mean = 0.1;
        diverged.diverged = 2;
        dialog.showResult("alexnet", eval_point(250, diverged, "synthetic"));
        distillery::EvalResult trained;
        trained.accuracies = {0.75, 0.77};
        trained.mean = 0.76;
        trained.std = 0.01;
        dialog.showResult("alexnet", eval_point(250, trained, "random real, hard labels"));
        auto* table = dialog.findChild<QTableWidget*>("cross_results");
        QCOMPARE(table->item(0, 0)->text(), QStringLiteral("10.00 ± 0.00 % (2 of 2 diverged)"));
        QVERIFY(table->item(0, 0)->toolTip().contains("NaN"));
        QCOMPARE(table->item(0, 1)->text(), QStringLiteral("76.00 ± 1.00 %"));
        QVERIFY(table->item(0, 1)->toolTip().isEmpty());
    }

    // Compare runs, from the File menu, on a run this window made: a folder with only its checkpoint
    // (as runs saved before the folder held metrics.csv) still shows its loss curve.
    void comparisonReadsStepsFromACheckpointAlone() {
        auto w = openWindow();
        w->worker()->setCheckpointEvery(0);
        waitForState(*w, WorkerState::Ready);
        for (int i = 1; i <= 3; ++i) {
            press(*w, Qt::Key_F10);
            runUntil(*w, i);
            waitForState(*w, WorkerState::Paused);
        }
        const QDir folder = QFileInfo(w->worker()->checkpointPath()).dir();
        for (const char* name : {"metrics.csv", "synthetic.dsyn", "settings.preset"}) QVERIFY(QFile::remove(folder.filePath(name)));
        press(*w, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);  // Compare runs
        auto* comparison = w->findChild<RunComparisonWindow*>();
        QVERIFY(comparison != nullptr);
        comparison->addRuns({folder.absolutePath()});
        QTRY_VERIFY_WITH_TIMEOUT(!comparison->isLoading(), kTimeout);
        QCOMPARE(comparison->runCount(), 1);
        QCOMPARE(comparison->lossPlot()->graph(0)->dataCount(), 3);
        QVERIFY2(comparison->problems().join('\n').contains("synthetic.dsyn"), qPrintable(comparison->problems().join('\n')));
        QVERIFY(!comparison->problems().join('\n').contains("metrics.csv"));
    }

    void timeLeftReadsAsADuration() {
        QCOMPARE(timeLeft(45), QString("45 s left"));
        QCOMPARE(timeLeft(12 * 60 + 10), QString("12 min left"));
        QCOMPARE(timeLeft(2 * 3600 + 5 * 60), QString("2 h 5 min left"));
    }

    // The default experts folder does not depend on where the app was started.
    void defaultExpertsFolderIsAbsolute() {
        const auto settings = distillery::load_preset("quick");
        const QString dir = defaultExpertsDir(settings);
        QVERIFY2(QDir::isAbsolutePath(dir), qPrintable(dir));
        QVERIFY(dir.startsWith(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)));
        QVERIFY(dir.endsWith(QFileInfo(QString::fromStdString(distillery::default_experts_dir(settings))).fileName()));
    }

    // The app itself, as a script runs it: --measure says how often each view redrew and what it
    // shows, so a view that draws tells itself apart from one that only receives data.
    void measureReportsWhatEachViewShows() {
        QProcess app;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("XDG_CONFIG_HOME", tmp_.filePath("app-config"));
        app.setProcessEnvironment(env);
        const QString report = tmp_.filePath("measure.json");
        app.start(DISTILLERY_APP, {"--no-settings", "--preset", preset_, "--experts", experts_, "--runs", tmp_.filePath("app-runs"),
                                   "--quit-after", "4", "--measure", report, "--no-stall-probe"});
        QVERIFY(app.waitForFinished(kTimeout));
        QCOMPARE(app.exitCode(), 0);
        QFile f(report);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject json = QJsonDocument::fromJson(f.readAll()).object();
        const int steps = json.value("steps_received").toInt();
        QVERIFY(steps >= 4);
        const QJsonObject views = json.value("views").toObject();
        // The views in sight in the default layout (the memory and soft-label docks are tabbed behind
        // the lr plot, and views nobody sees wait to redraw).
        for (const char* name : {"loss", "learning_rate", "image_grid"}) {
            const QJsonObject view = views.value(name).toObject();
            QVERIFY2(view.value("redraws").toInt() >= 1, name);
            QVERIFY2(view.value("shown").toInt() >= 1, name);
        }
        QCOMPARE(views.value("loss").toObject().value("shown").toInt(), steps);
        QCOMPARE(views.value("learning_rate").toObject().value("shown").toInt(), steps);
        QCOMPARE(views.value("memory").toObject().value("redraws").toInt(), 0);
        QVERIFY(!QDir(tmp_.filePath("app-config")).exists("Distillery"));  // --no-settings
    }
};

QTEST_MAIN(TestWorkbench)
#include "tst_workbench.moc"
