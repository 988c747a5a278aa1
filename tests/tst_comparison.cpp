// Comparing saved runs (offscreen): run folders written here as `distillery-cli distill --out` writes
// them, opened through the workbench's File menu into the real comparison window.
#include <torch/torch.h>

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QImage>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <algorithm>
#include <memory>
#include <vector>

#include "common/metrics_log.h"
#include "distill/run.h"
#include "distill/run_outputs.h"
#include "distill/synthetic_set.h"
#include "eval/evaluate.h"
#include "test_support.h"
#include "widgets/image_grid_view.h"
#include "widgets/plot_style.h"
#include "workbench/main_window.h"
#include "workbench/run_comparison_window.h"

using namespace distillery;
using namespace distillery::ui;

namespace {

constexpr int kTimeout = 120000;
// Fashion-MNIST's normalisation (the reference constants), which the window must undo.
constexpr double kMean = 0.2861, kStd = 0.3530;

// What one written run holds, to check the window against.
struct WrittenRun {
    QString folder;
    std::vector<double> losses, lrs;
    std::vector<std::int64_t> eval_iterations;
    std::vector<double> eval_means, eval_stds;
    torch::Tensor pixels;  // [N, 1, 28, 28] in [0, 1]: what the grid must show
};

void writeText(const QString& path, const QByteArray& text) {
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    file.write(text);
}

// A run folder as `distill --out` leaves it: metrics.csv through the CLI's own rows, a tiny
// Fashion-MNIST settings.preset, and synthetic.dsyn with images of known pixels.
WrittenRun writeRun(const QString& folder, int steps, const std::vector<std::int64_t>& evals, int ipc, bool soft_labels,
                    std::uint64_t seed) {
    QDir().mkpath(folder);
    WrittenRun run;
    run.folder = folder;
    MetricsLog log;
    for (int i = 0; i < steps; ++i) {
        StepRecord r;
        r.iteration = i;
        r.loss = 1.0 / (1 + i) + 0.01 * static_cast<double>(seed);
        r.lr = 0.01 + 0.001 * i;
        r.mode = "exact";
        r.syn_steps = 2;
        log.add(step_row(r));
        run.losses.push_back(r.loss);
        run.lrs.push_back(r.lr);
    }
    for (std::size_t k = 0; k < evals.size(); ++k) {
        EvalResult e;
        e.accuracies = {0.5, 0.6};
        e.mean = 0.4 + 0.1 * static_cast<double>(k) + 0.01 * static_cast<double>(seed);
        e.std = 0.02 + 0.01 * static_cast<double>(k);
        log.add(eval_row("synthetic", evals[k], e));
        run.eval_iterations.push_back(evals[k]);
        run.eval_means.push_back(e.mean);
        run.eval_stds.push_back(e.std);
    }
    // The final baseline, as distill writes it: a set name with a comma (a quoted CSV field), and
    // not the synthetic set, so not plotted.
    EvalResult baseline;
    baseline.mean = 0.9;
    log.add(eval_row("random real, hard labels", evals.empty() ? 0 : evals.back(), baseline));
    log.write(QDir(folder).filePath("metrics.csv").toStdString());

    writeText(QDir(folder).filePath("settings.preset"),
              QStringLiteral("# the settings of this run\ninclude = quick\ntrain_per_class = 20\nipc = %1\n").arg(ipc).toUtf8());

    torch::manual_seed(seed);
    const auto n = 10 * ipc;
    run.pixels = torch::rand({n, 1, 28, 28});
    SyntheticSet set;
    set.images = (run.pixels - kMean) / kStd;  // model space: normalised
    set.labels = soft_labels ? torch::softmax(torch::randn({n, 10}), 1) : torch::arange(10).repeat_interleave(ipc);
    set.info = {{"dataset", "fashion-mnist"}, {"transform", "normalize"}, {"iteration", std::to_string(steps)},
                {"label_mode", soft_labels ? "teacher" : "hard"}, {"ipc", std::to_string(ipc)}};
    save_synthetic_set(QDir(folder).filePath("synthetic.dsyn").toStdString(), set);
    return run;
}

QStringList legendNames(const QCustomPlot* plot) {
    QStringList names;
    for (int i = 0; i < plot->legend->itemCount(); ++i)
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot->legend->item(i))) names << item->plottable()->name();
    return names;
}

QCPErrorBars* errorBarsOf(QCustomPlot* plot, QCPGraph* graph) {
    for (int i = 0; i < plot->plottableCount(); ++i)
        if (auto* bars = qobject_cast<QCPErrorBars*>(plot->plottable(i)))
            if (bars->dataPlottable() == graph) return bars;
    return nullptr;
}

int grey(double pixel) { return qRound(std::clamp(pixel, 0.0, 1.0) * 255); }

}  // namespace

class TestComparison : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString runs_dir_, preset_;
    WrittenRun alpha_, beta_;

    std::unique_ptr<MainWindow> openWindow() {
        StartOptions o;
        o.preset = preset_;
        o.runs_dir = runs_dir_;
        o.remember = false;
        auto w = std::make_unique<MainWindow>(o);
        w->show();
        return w;
    }

    static void waitForLoading(RunComparisonWindow& window) {
        QTRY_VERIFY_WITH_TIMEOUT(!window.isLoading(), kTimeout);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        runs_dir_ = tmp_.filePath("runs");
        preset_ = tmp_.filePath("tiny.preset");
        writeText(preset_, "include = quick\ntrain_per_class = 20\n");
        alpha_ = writeRun(QDir(runs_dir_).filePath("alpha"), 6, {3, 6}, 2, false, 1);
        beta_ = writeRun(QDir(runs_dir_).filePath("beta"), 4, {4}, 1, true, 2);

        // A run whose files are damaged: metrics.csv with a row cut short, a .dsyn that is noise.
        const QString gamma = QDir(runs_dir_).filePath("gamma");
        QDir().mkpath(gamma);
        writeText(QDir(gamma).filePath("metrics.csv"), "kind,iteration,loss,lr\nstep,0,0.5,0.01\nstep,1,0.4\n");
        writeText(QDir(gamma).filePath("synthetic.dsyn"), QByteArray(300, '\x5a'));
        // A run that has only its checkpoint (here not even a valid one).
        const QString delta = QDir(runs_dir_).filePath("delta");
        QDir().mkpath(delta);
        writeText(QDir(delta).filePath("checkpoint.dckpt"), "not a checkpoint");
        // A folder that is no run at all.
        const QString notes = tmp_.filePath("notes");
        QDir().mkpath(notes);
        writeText(QDir(notes).filePath("readme.txt"), "nothing to see");
    }

    void compareTwoRunsFromTheFileMenu() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        auto w = openWindow();
        QAction* compare = w->action("compare_runs");
        QVERIFY(compare);
        QCOMPARE(compare->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
        // In the File menu, right after "Open saved run…".
        QMenu* file = w->menuBar()->actions().first()->menu();
        QVERIFY(file);
        const auto actions = file->actions();
        QVERIFY(actions.indexOf(w->action("open_run")) >= 0);
        QCOMPARE(actions.indexOf(compare), actions.indexOf(w->action("open_run")) + 1);

        QVERIFY(!w->findChild<RunComparisonWindow*>());
        compare->trigger();
        auto* window = w->findChild<RunComparisonWindow*>();
        QVERIFY(window);
        QVERIFY(window->isVisible());
        QVERIFY(!window->isModal());
        QCOMPARE(window->runsDir(), runs_dir_);
        QCOMPARE(window->runCount(), 0);

        QSignalSpy finished(window, &RunComparisonWindow::loadingFinished);
        window->addRuns({alpha_.folder, beta_.folder});
        QVERIFY(window->isLoading());  // read in the background: addRuns returned at once
        waitForLoading(*window);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(window->runNames(), QStringList({"alpha", "beta"}));
        QVERIFY2(window->problems().isEmpty(), qPrintable(window->problems().join('\n')));

        // Loss and lr: a graph per run, a point per step row, the legend by run.
        for (WorkbenchPlot* plot : {window->lossPlot(), window->lrPlot()}) {
            QCOMPARE(plot->graphCount(), 2);
            QCOMPARE(plot->graph(0)->name(), QString("alpha"));
            QCOMPARE(plot->graph(1)->name(), QString("beta"));
            QVERIFY(plot->legend->visible());
            QCOMPARE(legendNames(plot), QStringList({"alpha", "beta"}));
            QVERIFY(plot->graph(0)->pen().color() != plot->graph(1)->pen().color());
        }
        for (int r = 0; r < 2; ++r) {
            const WrittenRun& written = r == 0 ? alpha_ : beta_;
            QCPGraph* loss = window->lossPlot()->graph(r);
            QCPGraph* lr = window->lrPlot()->graph(r);
            QCOMPARE(loss->data()->size(), static_cast<int>(written.losses.size()));
            QCOMPARE(lr->data()->size(), static_cast<int>(written.lrs.size()));
            for (int i = 0; i < loss->data()->size(); ++i) {
                QCOMPARE(loss->data()->at(i)->key, static_cast<double>(i));
                QVERIFY(qAbs(loss->data()->at(i)->value - written.losses[i]) < 1e-5);
                QVERIFY(qAbs(lr->data()->at(i)->value - written.lrs[i]) < 1e-6);
            }
            // The same colour for a run in every plot.
            QCOMPARE(window->lrPlot()->graph(r)->pen().color(), loss->pen().color());
            QCOMPARE(window->accuracyPlot()->graph(r)->pen().color(), loss->pen().color());
        }

        // Accuracy: the synthetic set's evaluations only, in percent, each with its error bar.
        QCustomPlot* accuracy = window->accuracyPlot();
        QCOMPARE(accuracy->graphCount(), 2);
        QCOMPARE(legendNames(accuracy), QStringList({"alpha", "beta"}));
        for (int r = 0; r < 2; ++r) {
            const WrittenRun& written = r == 0 ? alpha_ : beta_;
            QCPGraph* graph = accuracy->graph(r);
            QCPErrorBars* bars = errorBarsOf(accuracy, graph);
            QVERIFY(bars);
            QCOMPARE(graph->data()->size(), static_cast<int>(written.eval_means.size()));
            QCOMPARE(bars->dataCount(), graph->data()->size());
            for (int i = 0; i < graph->data()->size(); ++i) {
                QCOMPARE(graph->data()->at(i)->key, static_cast<double>(written.eval_iterations[i]));
                QVERIFY(qAbs(graph->data()->at(i)->value - 100 * written.eval_means[i]) < 1e-3);
                QVERIFY(qAbs(bars->data()->at(i).errorPlus - 100 * written.eval_stds[i]) < 1e-3);
                QVERIFY(qAbs(bars->data()->at(i).errorMinus - 100 * written.eval_stds[i]) < 1e-3);
            }
        }

        // The images: alpha on the left, beta on the right, back in pixels.
        QCOMPARE(window->runChoice(0)->currentText(), QString("alpha"));
        QCOMPARE(window->runChoice(1)->currentText(), QString("beta"));
        QCOMPARE(window->imageGrid(0)->imageCount(), 20);
        QCOMPARE(window->imageGrid(1)->imageCount(), 10);
        for (int r = 0; r < 2; ++r) {
            const SyntheticImages& images = window->run(r).images;
            const torch::Tensor expected = (r == 0 ? alpha_ : beta_).pixels.flatten();
            QCOMPARE(images.pixels.size(), static_cast<qsizetype>(expected.numel()));
            const float* want = expected.data_ptr<float>();
            double worst = 0;
            for (qsizetype i = 0; i < images.pixels.size(); ++i) worst = std::max(worst, double(qAbs(images.pixels[i] - want[i])));
            QVERIFY2(worst < 1e-4, qPrintable(QString("largest pixel error %1").arg(worst)));
            QCOMPARE(images.class_names.size(), 10);
            QCOMPARE(images.classes.value(images.count - 1), 9);  // laid out class by class
        }
        QCOMPARE(window->run(1).images.label_kind, QString("teacher"));
        for (int side = 0; side < 2; ++side) {
            ImageGridView* grid = window->imageGrid(side);
            grid->refreshNow();
            const QImage shot = grid->canvas()->grab().toImage();
            const QRect first = grid->imageRect(0);
            QVERIFY(!first.isEmpty());
            // Not blank: the random pixels show as many greys, and exactly the run's greys.
            QSet<int> greys;
            for (int y = first.top(); y <= first.bottom(); ++y)
                for (int x = first.left(); x <= first.right(); ++x) greys.insert(qGray(shot.pixel(x, y)));
            QVERIFY2(greys.size() > 50, qPrintable(QString("%1 greys").arg(greys.size())));
            const float* pixels = (side == 0 ? alpha_ : beta_).pixels.data_ptr<float>();
            const int zoom = grid->zoom();
            for (int k = 0; k < 5; ++k) {
                const QPoint at = first.topLeft() + QPoint(k * zoom + zoom / 2, zoom / 2);
                QVERIFY(qAbs(qGray(shot.pixel(at)) - grey(pixels[k])) <= 1);
            }
        }

        // Either side shows any run; the two zoom together.
        window->runChoice(1)->setCurrentIndex(0);
        QCOMPARE(window->imageGrid(1)->imageCount(), 20);
        window->runChoice(1)->setCurrentIndex(1);
        QCOMPARE(window->imageGrid(1)->imageCount(), 10);
        window->imageGrid(0)->setZoom(5);
        QCOMPARE(window->imageGrid(1)->zoom(), 5);

        // The action again: the same window, with its runs.
        compare->trigger();
        QCOMPARE(w->findChildren<RunComparisonWindow*>().size(), 1);
        QCOMPARE(window->runCount(), 2);

        // Broken folders: each says what is wrong, naming the file; the good runs stay.
        window->addRuns({QDir(runs_dir_).filePath("gamma"), QDir(runs_dir_).filePath("delta"), tmp_.filePath("notes"),
                         alpha_.folder});
        waitForLoading(*window);
        QCOMPARE(finished.count(), 2);
        QCOMPARE(window->runNames(), QStringList({"alpha", "beta"}));  // alpha again is not a third run
        QCOMPARE(window->lossPlot()->graphCount(), 2);
        const QString problems = window->problems().join('\n');
        auto mentions = [&](const QString& text) {
            if (!problems.contains(text)) qWarning().noquote() << "not among the problems:" << text << "\n" << problems;
            return problems.contains(text);
        };
        QVERIFY(mentions(QDir(runs_dir_).filePath("gamma/metrics.csv") + " is not a valid metrics file: line 3"));
        QVERIFY(mentions(QDir(runs_dir_).filePath("gamma/synthetic.dsyn")));
        QVERIFY(mentions(QDir(runs_dir_).filePath("delta") + ": no metrics.csv"));
        QVERIFY(mentions("checkpoint.dckpt"));
        QVERIFY(mentions(QDir(runs_dir_).filePath("delta") + ": no synthetic.dsyn"));
        QVERIFY(mentions(tmp_.filePath("notes") + " is not a run folder"));
        QCOMPARE(window->problems().size(), 5);
        // On screen, not only in the record.
        auto* list = window->findChild<QListWidget*>("comparison_problems");
        QVERIFY(list && list->isVisible());
        QCOMPARE(list->count(), 5);
    }

    void addRunsThroughTheFolderDialog() {
        DISTILLERY_REQUIRE_FASHION_MNIST();  // the comparison window reads the runs' data set for its transform
        RunComparisonWindow window(runs_dir_);
        window.show();
        QString started_in;
        bool selected = false;
        // The dialog is modal: drive it from inside its own event loop, and always close it.
        QTimer::singleShot(0, &window, [&] {
            auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
            if (!dialog) return;
            started_in = dialog->directory().absolutePath();
            QAbstractItemView* view = nullptr;
            for (auto* candidate : dialog->findChildren<QAbstractItemView*>())
                if (candidate->isVisible() && (candidate->objectName() == "treeView" || candidate->objectName() == "listView"))
                    view = candidate;
            auto find = [&](const QString& name) {
                const QModelIndex first = view->model()->index(0, 0, view->rootIndex());
                const auto hits = first.isValid() ? view->model()->match(first, Qt::DisplayRole, name, 1, Qt::MatchExactly)
                                                  : QModelIndexList();
                return hits.isEmpty() ? QModelIndex() : hits.first();
            };
            if (view && QTest::qWaitFor([&] { return find("alpha").isValid() && find("beta").isValid(); }, 10000)) {
                // Ctrl+click as a user does: both folders end up selected.
                QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, view->visualRect(find("alpha")).center());
                QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier, view->visualRect(find("beta")).center());
                selected = view->selectionModel()->selectedRows().size() == 2;
            }
            // As the Choose button does (QFileDialog's own accept() is protected).
            if (selected) static_cast<QDialog*>(dialog)->accept();
            else dialog->reject();
        });
        QTest::mouseClick(window.findChild<QPushButton*>("add_runs"), Qt::LeftButton);
        QCOMPARE(started_in, runs_dir_);
        QVERIFY(selected);
        waitForLoading(window);
        QCOMPARE(window.runNames(), QStringList({"alpha", "beta"}));
    }
};

QTEST_MAIN(TestComparison)
#include "tst_comparison.moc"
