// The workbench's plots as a user works with them (offscreen): the wheel, a drag, a double-click
// and the right-click menu on the real views, and what the menu saves: the picture as PNG, SVG and
// PDF, and the data as CSV. No engine: the views get their data through their public add* methods.
//
// Mouse events go through the window, as the system's do (QTEST_QPA_MOUSE_HANDLING): only there
// does Qt turn a right-button press into the context-menu event the plot's menu opens on.
#define QTEST_QPA_MOUSE_HANDLING
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QImage>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QWheelEvent>
#include <QtTest>

#include <algorithm>
#include <csignal>
#include <memory>

#include <sys/resource.h>

#include "widgets/image_conversion.h"
#include "widgets/loss_plot_view.h"
#include "widgets/lr_plot_view.h"
#include "widgets/memory_plot_view.h"
#include "widgets/plot_style.h"

using namespace distillery::ui;

namespace {

constexpr qint64 kMiB = 1024 * 1024;
const QStringList kMenuActions = {QStringLiteral("Save image…"), QStringLiteral("Copy data as CSV"),
                                  QStringLiteral("Export data as CSV…"), QStringLiteral("Fit to data")};

// A run of `count` steps with a falling, slightly uneven loss, a growing lr, and every seventh
// update skipped. The memory view needs N and a peak: the modes take turns over four values of N.
QVector<StepPoint> runSteps(int count) {
    const char* modes[] = {"unrolled", "tesla", "exact"};
    QVector<StepPoint> steps;
    for (int i = 0; i < count; ++i) {
        StepPoint step;
        step.iteration = i;
        step.loss = 2.0 / (1 + 0.1 * i) + 0.01 * (i % 5);
        step.lr = 0.01 + 1.234567e-4 * i;
        step.mode = modes[i % 3];
        step.syn_steps = 10 * (1 + i % 4);
        step.peak_bytes = (i % 3 + 1) * step.syn_steps * kMiB;
        step.updated = i % 7 != 3;
        steps << step;
    }
    return steps;
}

EvalPoint evaluation(qint64 iteration, double mean, double std, const QString& what) {
    EvalPoint e;
    e.iteration = iteration;
    e.mean = mean;
    e.std = std;
    e.what = what;
    return e;
}

// A view on screen, filled through its public methods, and the plot inside it.
struct ShownView {
    std::unique_ptr<QWidget> view;
    WorkbenchPlot* plot = nullptr;
};

ShownView makeView(const QString& kind, int steps = 40) {
    ShownView shown;
    if (kind == QLatin1String("loss")) {
        auto* loss = new LossPlotView;
        loss->addSteps(runSteps(steps));
        loss->addEvaluation(evaluation(10, 0.412, 0.013, QStringLiteral("synthetic")));
        loss->addEvaluation(evaluation(30, 0.538, 0.021, QStringLiteral("synthetic")));
        loss->refreshNow();
        shown.view.reset(loss);
        shown.plot = qobject_cast<WorkbenchPlot*>(loss->plot());
    } else if (kind == QLatin1String("lr")) {
        auto* lr = new LrPlotView;
        lr->addSteps(runSteps(steps));
        lr->refreshNow();
        shown.view.reset(lr);
        shown.plot = qobject_cast<WorkbenchPlot*>(lr->plot());
    } else {
        auto* memory = new MemoryPlotView;
        memory->setMemoryKind(QStringLiteral("cpu-tensor-bytes"));
        memory->addSteps(runSteps(steps));
        memory->addSweepPoints({{QStringLiteral("exact"), 80, 12 * kMiB, 0.5}, {QStringLiteral("exact"), 160, 13 * kMiB, 0.9}});
        memory->refreshNow();
        shown.view.reset(memory);
        shown.plot = qobject_cast<WorkbenchPlot*>(memory->plot());
    }
    shown.view->resize(640, 440);
    shown.view->show();
    return shown;
}

// Waits until the view is on screen and its plot laid out, so pixels map to coordinates.
bool onScreen(const ShownView& shown) {
    if (!shown.plot || !QTest::qWaitForWindowExposed(shown.view.get())) return false;
    shown.plot->replot(QCustomPlot::rpImmediateRefresh);
    return true;
}

void turnWheel(QWidget* plot, QPoint at, int angle) {
    QWheelEvent wheel(QPointF(at), QPointF(plot->mapToGlobal(at)), QPoint(), QPoint(0, angle), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(plot, &wheel);
}

bool sameRange(const QCPRange& a, const QCPRange& b) {
    const double tolerance = 1e-9 * qMax(1.0, b.size());
    return qAbs(a.lower - b.lower) <= tolerance && qAbs(a.upper - b.upper) <= tolerance;
}

bool sameNumber(double a, double b) { return qAbs(a - b) <= 1e-9 * qMax(1.0, qAbs(b)); }

QString rangeText(const QCPRange& range) { return QStringLiteral("[%1, %2]").arg(range.lower).arg(range.upper); }

// Right-clicks the plot's centre and returns the menu that opened.
QMenu* openMenu(WorkbenchPlot* plot) {
    QTest::mouseClick(plot, Qt::RightButton, {}, plot->axisRect()->center());
    const auto openedMenu = [] { return qobject_cast<QMenu*>(QApplication::activePopupWidget()); };
    return QTest::qWaitFor([&] { return openedMenu() != nullptr; }, 2000) ? openedMenu() : nullptr;
}

QStringList actionTexts(const QMenu* menu) {
    QStringList texts;
    for (const QAction* action : menu->actions())
        if (!action->isSeparator() && action->isVisible()) texts << action->text();
    return texts;
}

QAction* actionNamed(const QMenu* menu, const QString& text) {
    for (QAction* action : menu->actions())
        if (action->text() == text) return action;
    return nullptr;
}

// Chooses `action` the way a user does: a click on it in the open menu.
void clickAction(QMenu* menu, QAction* action) {
    QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(action).center());
}

// Reads CSV as RFC 4180 does: a field in double quotes may hold commas, line breaks and quotes ("").
QVector<QStringList> parseCsv(const QString& text) {
    QVector<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c != '"') field += c;
            else if (i + 1 < text.size() && text[i + 1] == '"') field += text[++i];
            else quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row << field;
            field.clear();
        } else if (c == '\n') {
            row << field;
            rows << row;
            row.clear();
            field.clear();
        } else {
            field += c;
        }
    }
    if (!row.isEmpty() || !field.isEmpty()) rows << (row << field);
    return rows;
}

QByteArray fileBytes(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeBytes(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

}  // namespace

class TestWidgets : public QObject {
    Q_OBJECT

    // The rows of the tests that every plot view must pass.
    static void addKinds() {
        QTest::addColumn<QString>("kind");
        QTest::newRow("loss") << QStringLiteral("loss");
        QTest::newRow("lr") << QStringLiteral("lr");
        QTest::newRow("memory") << QStringLiteral("memory");
    }

private Q_SLOTS:
    void wheelZoomsDragPansDoubleClickFits_data() { addKinds(); }
    void wheelZoomsDragPansDoubleClickFits() {
        QFETCH(QString, kind);
        const ShownView shown = makeView(kind);
        QVERIFY(onScreen(shown));
        WorkbenchPlot* plot = shown.plot;
        QCPAxis* x = plot->xAxis;
        QVERIFY(plot->followsData());
        const QCPRange fitted = x->range();
        QVERIFY2(fitted.size() > 0, qPrintable(rangeText(fitted)));

        // The wheel zooms in around the mouse: the range shrinks, the value under the mouse stays.
        const QPoint centre = plot->axisRect()->center();
        const double under_mouse = x->pixelToCoord(centre.x());
        turnWheel(plot, centre, 120);
        QVERIFY2(x->range().size() < 0.9 * fitted.size(), qPrintable(rangeText(x->range()) + " from " + rangeText(fitted)));
        QVERIFY(sameNumber(x->pixelToCoord(centre.x()), under_mouse));
        QVERIFY(!plot->followsData());

        // A drag to the right moves the range left by the dragged distance, at the same zoom.
        plot->replot(QCustomPlot::rpImmediateRefresh);
        const QCPRange zoomed = x->range();
        const int dx = 80;
        const double expected_shift = dx * zoomed.size() / plot->axisRect()->width();
        QTest::mousePress(plot, Qt::LeftButton, {}, centre);
        QTest::mouseMove(plot, centre + QPoint(dx / 2, 0));
        QTest::mouseMove(plot, centre + QPoint(dx, 0));
        QTest::mouseRelease(plot, Qt::LeftButton, {}, centre + QPoint(dx, 0));
        const QCPRange dragged = x->range();
        QVERIFY2(qAbs((zoomed.lower - dragged.lower) - expected_shift) < 0.05 * expected_shift,
                 qPrintable(rangeText(dragged) + " from " + rangeText(zoomed)));
        QVERIFY(sameNumber(dragged.size(), zoomed.size()));

        // More data does not undo what the user did...
        plot->fitIfFollowing();
        QVERIFY(sameRange(x->range(), dragged));
        // ...a double-click fits the data again.
        QTest::mouseDClick(plot, Qt::LeftButton, {}, centre);
        QVERIFY2(sameRange(x->range(), fitted), qPrintable(rangeText(x->range()) + " instead of " + rangeText(fitted)));
        QVERIFY(plot->followsData());
    }

    // The first step of a slow run is on screen as soon as it arrives, through the views' own
    // redraw: one point has no line, so it is drawn as a dot, in an axis range in proportion to
    // its value (a learned lr of 0.01 in a range of ±1 would sit on the zero line).
    void aLoneFirstStepIsDrawn_data() {
        QTest::addColumn<QString>("kind");
        QTest::newRow("loss") << QStringLiteral("loss");
        QTest::newRow("lr") << QStringLiteral("lr");
    }
    void aLoneFirstStepIsDrawn() {
        QFETCH(QString, kind);
        const bool loss = kind == QLatin1String("loss");
        std::unique_ptr<IterationPlotView> view;
        if (loss)
            view.reset(new LossPlotView);
        else
            view.reset(new LrPlotView);
        view->resize(640, 440);
        view->show();
        QVERIFY(QTest::qWaitForWindowExposed(view.get()));
        const QVector<StepPoint> steps = runSteps(2);
        view->addSteps({steps[0]});
        auto* plot = qobject_cast<WorkbenchPlot*>(view->plot());
        QCPGraph* graph = plot->graph(loss ? 1 : 0);  // the smoothed loss; the lr
        QTRY_COMPARE(graph->dataCount(), 1);
        const double value = loss ? steps[0].loss : steps[0].lr;
        const QCPRange y = plot->yAxis->range();
        QVERIFY2(y.contains(value) && y.size() < qAbs(value), qPrintable(rangeText(y)));

        const QImage image = plot->grab().toImage();
        const QPoint at(qRound(plot->xAxis->coordToPixel(steps[0].iteration)), qRound(plot->yAxis->coordToPixel(value)));
        const QColor pen = graph->pen().color();
        int in_pen_colour = 0;
        for (int dy = -4; dy <= 4; ++dy)
            for (int dx = -4; dx <= 4; ++dx) {
                const QColor c = image.pixelColor(at + QPoint(dx, dy));
                in_pen_colour += qAbs(c.red() - pen.red()) + qAbs(c.green() - pen.green()) + qAbs(c.blue() - pen.blue()) < 60;
            }
        QVERIFY2(in_pen_colour >= 9, qPrintable(QStringLiteral("%1 pixels of the series' colour around the point").arg(in_pen_colour)));

        // With a second point the line takes over, without dots on it.
        view->addSteps({steps[1]});
        QTRY_COMPARE(graph->dataCount(), 2);
        QCOMPARE(graph->scatterStyle().shape(), QCPScatterStyle::ssNone);
    }

    // In a short dock 5 % of the range is a few pixels: the largest value's marker (the run's
    // 12-pixel ring) was cut in half by the top of the axes, and one near zero by the bottom.
    // Every marker is drawn whole, at the size the view first has and after it is made shorter.
    void markersAreDrawnWhole() {
        auto* view = new MemoryPlotView;
        std::unique_ptr<QWidget> owner(view);
        view->resize(520, 330);
        view->show();
        QVERIFY(QTest::qWaitForWindowExposed(view));
        view->setMemoryKind(QStringLiteral("cpu-tensor-bytes"));
        QVector<StepPoint> steps = runSteps(12);
        steps.last().mode = QStringLiteral("unrolled");  // the run's largest: its ring is at the top
        steps.last().syn_steps = 80;
        steps.last().peak_bytes = 5900 * kMiB;
        view->addSteps(steps);
        view->addSweepPoints({{QStringLiteral("unrolled"), 80, 5800 * kMiB, 2.5}, {QStringLiteral("exact"), 80, 300 * kMiB, 3.1}});
        auto* plot = qobject_cast<WorkbenchPlot*>(view->plot());
        QTRY_COMPARE(view->shownCount(), view->runPointCount() + view->sweepPointCount());
        QVERIFY(view->sweepPointCount() == 2 && view->runPointCount() > 0);
        const auto checkWhole = [plot](const char* when) {
            plot->replot(QCustomPlot::rpImmediateRefresh);
            const QRect rect = plot->axisRect()->rect();
            int checked = 0;
            for (int i = 0; i < plot->graphCount(); ++i) {
                const QCPGraph* graph = plot->graph(i);
                const QCPScatterStyle& style = graph->scatterStyle();
                if (style.isNone()) continue;
                const double radius = (style.size() + (style.isPenDefined() ? style.pen().widthF() : graph->pen().widthF())) / 2;
                for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
                    const QPointF at(plot->xAxis->coordToPixel(it->key), plot->yAxis->coordToPixel(it->value));
                    const double room = std::min({at.y() - rect.top(), rect.bottom() - at.y(), rect.right() - at.x(), at.x() - rect.left()});
                    QVERIFY2(room >= radius - 0.5, qPrintable(QStringLiteral("%1: %2 at N = %3, %4 MiB has %5 px to the axes' edge, its marker %6")
                                                                  .arg(when, graph->name())
                                                                  .arg(it->key)
                                                                  .arg(it->value)
                                                                  .arg(room)
                                                                  .arg(radius)));
                    ++checked;
                }
            }
            QVERIFY(checked >= 3);
        };
        checkWhole("as shown");
        if (QTest::currentTestFailed()) return;
        QVERIFY(plot->axisRect()->height() < 200);
        view->resize(520, 260);
        QTRY_VERIFY(plot->axisRect()->height() < 140);
        checkWhole("made shorter");
        QVERIFY(plot->followsData());
    }

    void rightClickOpensMenu_data() { addKinds(); }
    void rightClickOpensMenu() {
        QFETCH(QString, kind);
        const ShownView shown = makeView(kind);
        QVERIFY(onScreen(shown));
        QMenu* menu = openMenu(shown.plot);
        QVERIFY2(menu, "no menu opened on a right click");
        QVERIFY(QApplication::topLevelWidgets().contains(menu));
        QCOMPARE(actionTexts(menu), kMenuActions);
        for (const QAction* action : menu->actions()) QVERIFY2(action->isEnabled(), qPrintable(action->text()));
        menu->close();
        QTRY_VERIFY(!QApplication::activePopupWidget());
        // The next right click opens the same menu again: menus do not pile up.
        QCOMPARE(openMenu(shown.plot), menu);
        QCOMPARE(shown.plot->findChildren<QMenu*>().size(), 1);
        menu->close();
    }

    void menuFitsAndCopies() {
        const ShownView shown = makeView(QStringLiteral("loss"));
        QVERIFY(onScreen(shown));
        WorkbenchPlot* plot = shown.plot;
        const QCPRange fitted = plot->xAxis->range();
        turnWheel(plot, plot->axisRect()->center(), 240);
        QVERIFY(!sameRange(plot->xAxis->range(), fitted));

        QMenu* menu = openMenu(plot);
        QVERIFY(menu);
        clickAction(menu, actionNamed(menu, QStringLiteral("Fit to data")));
        QTRY_VERIFY(!QApplication::activePopupWidget());
        QVERIFY2(sameRange(plot->xAxis->range(), fitted), qPrintable(rangeText(plot->xAxis->range())));
        QVERIFY(plot->followsData());

        QGuiApplication::clipboard()->setText(QStringLiteral("before"));
        menu = openMenu(plot);
        QVERIFY(menu);
        clickAction(menu, actionNamed(menu, QStringLiteral("Copy data as CSV")));
        QTRY_COMPARE(QGuiApplication::clipboard()->text(), plot->dataCsv());
    }

    // Without data there is nothing to copy: the CSV actions are off, the header alone remains.
    void emptyPlotOffersNoData() {
        ShownView shown;
        auto* lr = new LrPlotView;
        shown.view.reset(lr);
        shown.plot = qobject_cast<WorkbenchPlot*>(lr->plot());
        shown.view->resize(500, 300);
        shown.view->show();
        QVERIFY(onScreen(shown));
        QCOMPARE(shown.plot->dataCsv(), QStringLiteral("series,x,y\n"));
        QMenu* menu = openMenu(shown.plot);
        QVERIFY(menu);
        QVERIFY(actionNamed(menu, QStringLiteral("Save image…"))->isEnabled());
        QVERIFY(!actionNamed(menu, QStringLiteral("Copy data as CSV"))->isEnabled());
        QVERIFY(!actionNamed(menu, QStringLiteral("Export data as CSV…"))->isEnabled());
        menu->close();
        // With data the same menu offers it.
        lr->addSteps(runSteps(3));
        lr->refreshNow();
        menu = openMenu(shown.plot);
        QVERIFY(menu);
        QVERIFY(actionNamed(menu, QStringLiteral("Copy data as CSV"))->isEnabled());
        QVERIFY(actionNamed(menu, QStringLiteral("Export data as CSV…"))->isEnabled());
        menu->close();
    }

    // The class plots' axes are the classes, not the data's extent: their menu has no "Fit to data",
    // and their bars are data like a graph's.
    void classPlotMenuAndBars() {
        SyntheticImages images;
        images.count = 1;
        images.channels = images.height = images.width = 1;
        images.pixels = {0.5f};
        images.classes = {1};
        images.num_classes = 3;
        images.class_names = {QStringLiteral("shirt"), QStringLiteral("bag"), QStringLiteral("boot")};
        images.label_probs = {0.125f, 0.75f, 0.125f};
        LabelDistributionPlot plot;
        plot.showDistribution(images, 0);
        plot.resize(500, 300);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));

        QMenu* menu = openMenu(&plot);
        QVERIFY(menu);
        QCOMPARE(actionTexts(menu), kMenuActions.mid(0, 3));
        menu->close();

        QCOMPARE(plot.dataCsv(), QStringLiteral("series,x,y\nthe image's class,1,0.75\nother classes,0,0.125\nother classes,2,0.125\n"));
    }

    void interactionHintMentionsMenu() {
        QVERIFY2(WorkbenchPlot::interactionHint().contains(QStringLiteral("right-click")), qPrintable(WorkbenchPlot::interactionHint()));
        const ShownView shown = makeView(QStringLiteral("loss"));
        QCOMPARE(shown.plot->toolTip(), WorkbenchPlot::interactionHint());
    }

    void saveImageFormats_data() { addKinds(); }
    void saveImageFormats() {
        QFETCH(QString, kind);
        const ShownView shown = makeView(kind);
        QVERIFY(onScreen(shown));
        WorkbenchPlot* plot = shown.plot;
        QTemporaryDir folder;
        QVERIFY(folder.isValid());

        const QString png = folder.filePath(QStringLiteral("plot.png"));
        QCOMPARE(plot->saveImage(png), QString());
        const QImage image(png);
        QVERIFY2(!image.isNull(), "the PNG does not load");
        QCOMPARE(image.size(), plot->size());
        // A picture of the plot, not an empty page: more than the background's one colour.
        bool drawn = false;
        for (int y = 0; y < image.height() && !drawn; y += 4)
            for (int x = 0; x < image.width() && !drawn; x += 4) drawn = image.pixel(x, y) != image.pixel(0, 0);
        QVERIFY(drawn);

        const QString svg = folder.filePath(QStringLiteral("plot.SVG"));  // the extension in any case
        QCOMPARE(plot->saveImage(svg), QString());
        const QByteArray svg_bytes = fileBytes(svg);
        QVERIFY(svg_bytes.contains("<svg"));
        QVERIFY2(svg_bytes.contains("<path") || svg_bytes.contains("<polyline"), "the SVG draws nothing");

        const QString pdf = folder.filePath(QStringLiteral("plot.pdf"));
        QCOMPARE(plot->saveImage(pdf), QString());
        QVERIFY(fileBytes(pdf).startsWith("%PDF"));
        QVERIFY(fileBytes(pdf).size() > 1000);

        // Nothing else is left in the folder: the temporary files were renamed into place.
        QCOMPARE(QDir(folder.path()).entryList(QDir::Files | QDir::Hidden, QDir::Name),
                 QStringList({QStringLiteral("plot.SVG"), QStringLiteral("plot.pdf"), QStringLiteral("plot.png")}));
    }

    void failedSavesLeaveFilesAlone() {
        const ShownView shown = makeView(QStringLiteral("loss"));
        QVERIFY(onScreen(shown));
        WorkbenchPlot* plot = shown.plot;
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        const QDir dir(folder.path());

        // An extension the plot cannot write: refused with the ones it can, the file untouched.
        const QString unknown = dir.filePath(QStringLiteral("keep.xyz"));
        QVERIFY(writeBytes(unknown, "old"));
        const QString refusal = plot->saveImage(unknown);
        QVERIFY2(refusal.contains(QStringLiteral(".png")) && refusal.contains(QStringLiteral("keep.xyz")), qPrintable(refusal));
        QCOMPARE(fileBytes(unknown), QByteArray("old"));

        // A folder that does not exist: a message naming the path, and no folder made.
        const QString missing = dir.filePath(QStringLiteral("missing/plot.png"));
        const QString no_folder = plot->saveImage(missing);
        QVERIFY2(no_folder.contains(QStringLiteral("missing")), qPrintable(no_folder));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("missing"))));
        QVERIFY(!plot->exportCsv(dir.filePath(QStringLiteral("missing/data.csv"))).isEmpty());

        // The name is taken by a folder: the save fails after the image was drawn, the folder and
        // what is in it stay, and no temporary file is left behind.
        QVERIFY(dir.mkdir(QStringLiteral("taken.png")));
        QVERIFY(writeBytes(dir.filePath(QStringLiteral("taken.png/inside.txt")), "kept"));
        const QStringList before = dir.entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
        QVERIFY(!plot->saveImage(dir.filePath(QStringLiteral("taken.png"))).isEmpty());
        QCOMPARE(fileBytes(dir.filePath(QStringLiteral("taken.png/inside.txt"))), QByteArray("kept"));
        QCOMPARE(dir.entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name), before);

        // A save that succeeds replaces the file that was there.
        const QString replaced = dir.filePath(QStringLiteral("replaced.png"));
        QVERIFY(writeBytes(replaced, "old"));
        QCOMPARE(plot->saveImage(replaced), QString());
        QCOMPARE(QImage(replaced).size(), plot->size());
    }

    // A write that fails part-way (here: the file size limit, as a full disk would) leaves the file
    // that was there as it was, and no temporary file: only a complete new file replaces it.
    void writeFailureKeepsExistingFile() {
        const ShownView shown = makeView(QStringLiteral("memory"));
        QVERIFY(onScreen(shown));
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        const QDir dir(folder.path());
        const QString csv = dir.filePath(QStringLiteral("data.csv"));
        const QString svg = dir.filePath(QStringLiteral("plot.svg"));
        QVERIFY(writeBytes(csv, "old csv"));
        QVERIFY(writeBytes(svg, "old svg"));
        QVERIFY(shown.plot->dataCsv().size() > 200);

        QString csv_problem, svg_problem;
        {
            struct FileSizeLimit {
                rlimit before{};
                bool set = false;
                explicit FileSizeLimit(rlim_t bytes) {
                    std::signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails instead of ending the process
                    if (getrlimit(RLIMIT_FSIZE, &before) != 0) return;
                    rlimit limited = before;
                    limited.rlim_cur = bytes;
                    set = setrlimit(RLIMIT_FSIZE, &limited) == 0;
                }
                ~FileSizeLimit() {
                    if (set) setrlimit(RLIMIT_FSIZE, &before);
                }
            } limit(100);
            QVERIFY(limit.set);
            csv_problem = shown.plot->exportCsv(csv);
            svg_problem = shown.plot->saveImage(svg);  // drawn in memory: only the write fails
        }
        QVERIFY2(csv_problem.contains(QStringLiteral("data.csv")), qPrintable(csv_problem));
        QVERIFY2(svg_problem.contains(QStringLiteral("plot.svg")), qPrintable(svg_problem));
        QCOMPARE(fileBytes(csv), QByteArray("old csv"));
        QCOMPARE(fileBytes(svg), QByteArray("old svg"));
        QCOMPARE(dir.entryList(QDir::Files | QDir::Hidden, QDir::Name), QStringList({"data.csv", "plot.svg"}));
    }

    // Every point is one row and reads back as the number plotted, whatever the user's locale.
    void dataCsvHasEveryPoint() {
        // A decimal comma in the default locale would split every number into two fields.
        struct GermanLocale {
            GermanLocale() { QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany)); }
            ~GermanLocale() { QLocale::setDefault(QLocale::c()); }
        } german;
        auto* loss = new LossPlotView;
        ShownView shown;
        shown.view.reset(loss);
        shown.plot = qobject_cast<WorkbenchPlot*>(loss->plot());
        const QVector<StepPoint> steps = runSteps(30);
        const QString quoted_what = QStringLiteral("random \"real\", 2");
        loss->addSteps(steps);
        loss->addEvaluation(evaluation(10, 0.412, 0.013, QStringLiteral("synthetic")));
        loss->addEvaluation(evaluation(20, 0.47, 0.02, QStringLiteral("synthetic")));
        loss->addEvaluation(evaluation(25, 0.31, 0.005, quoted_what));
        loss->refreshNow();

        const QString csv = shown.plot->dataCsv();
        QVERIFY(csv.endsWith('\n'));
        // Names with a comma or a quote are quoted, a quote doubled.
        QVERIFY2(csv.contains(QStringLiteral("\n\"loss, smoothed\",")), qPrintable(csv.left(400)));
        QVERIFY(csv.contains(QStringLiteral("\n\"test accuracy (random \"\"real\"\", 2)\",")));

        const QVector<QStringList> rows = parseCsv(csv);
        QVERIFY(!rows.isEmpty());
        QCOMPARE(rows.first(), QStringList({"series", "x", "y", "error"}));
        QMap<QString, QVector<QStringList>> by_series;
        for (int i = 1; i < rows.size(); ++i) {
            QCOMPARE(rows[i].size(), 4);
            by_series[rows[i][0]] << rows[i];
        }
        int skipped = 0;
        for (const StepPoint& step : steps) skipped += step.updated ? 0 : 1;
        const QString accuracy_quoted = QStringLiteral("test accuracy (%1)").arg(quoted_what);
        QCOMPARE(by_series.keys(), QStringList({"loss", "loss, smoothed", accuracy_quoted, "test accuracy (synthetic)",
                                                "update skipped"}));
        QCOMPARE(by_series["loss"].size(), steps.size());
        QCOMPARE(by_series["loss, smoothed"].size(), steps.size());
        QCOMPARE(by_series["update skipped"].size(), skipped);
        QCOMPARE(by_series["test accuracy (synthetic)"].size(), 2);
        QCOMPARE(by_series[accuracy_quoted].size(), 1);
        QCOMPARE(rows.size() - 1, 2 * steps.size() + skipped + 3);

        const auto number = [](const QString& text) {
            bool ok = false;
            const double value = text.toDouble(&ok);
            return ok ? value : qQNaN();
        };
        for (int i = 0; i < steps.size(); ++i) {
            const QStringList& row = by_series["loss"][i];
            QVERIFY2(sameNumber(number(row[1]), steps[i].iteration) && sameNumber(number(row[2]), steps[i].loss),
                     qPrintable(row.join('|')));
            QCOMPARE(row[3], QString());  // no error bars on the loss
        }
        const QStringList& first_eval = by_series["test accuracy (synthetic)"][0];
        QVERIFY2(sameNumber(number(first_eval[1]), 10) && sameNumber(number(first_eval[2]), 41.2) &&
                     sameNumber(number(first_eval[3]), 1.3),
                 qPrintable(first_eval.join('|')));
        const QStringList& quoted_eval = by_series[accuracy_quoted][0];
        QVERIFY2(sameNumber(number(quoted_eval[2]), 31) && sameNumber(number(quoted_eval[3]), 0.5), qPrintable(quoted_eval.join('|')));
    }

    // A plot's only, unnamed series is named after its axis; no error bars, no error column.
    void dataCsvNamesUnnamedSeries() {
        const ShownView shown = makeView(QStringLiteral("lr"), 12);
        const QVector<QStringList> rows = parseCsv(shown.plot->dataCsv());
        QCOMPARE(rows.size(), 13);
        QCOMPARE(rows.first(), QStringList({"series", "x", "y"}));
        const QVector<StepPoint> steps = runSteps(12);
        for (int i = 0; i < steps.size(); ++i) {
            QCOMPARE(rows[i + 1][0], QStringLiteral("Learned student learning rate"));
            QVERIFY2(sameNumber(rows[i + 1][2].toDouble(), steps[i].lr), qPrintable(rows[i + 1].join('|')));
        }
    }

    void exportCsvWritesDataCsv() {
        const ShownView shown = makeView(QStringLiteral("memory"));
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        const QString path = folder.filePath(QStringLiteral("memory.csv"));
        QVERIFY(writeBytes(path, "old"));
        QCOMPARE(shown.plot->exportCsv(path), QString());
        const QByteArray written = fileBytes(path);
        QCOMPARE(written, shown.plot->dataCsv().toUtf8());
        QVERIFY(written.count('\n') > 10);
    }

    // The menu's "Save image…" opens the dialog in the owner's folder, with the three formats and
    // folders creatable; the chosen filter gives a name without extension its format.
    void saveImageThroughTheMenu() {
        const ShownView shown = makeView(QStringLiteral("loss"));
        QVERIFY(onScreen(shown));
        WorkbenchPlot* plot = shown.plot;
        QCOMPARE(plot->exportFolder(), QDir::homePath());
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        plot->setExportFolder(folder.path());
        QCOMPARE(plot->exportFolder(), folder.path());
        QDir(folder.path()).mkdir(QStringLiteral("chosen"));
        const QString chosen = QDir(folder.path()).filePath(QStringLiteral("chosen"));

        // Plays the user in the dialog: the SVG filter, a name without extension typed into the
        // name field, in another folder, then Save. A message box (a failed save) is read and closed.
        QString start_folder, suggested_name, message;
        QStringList filters;
        bool read_only = true, handled = false;
        QTimer dialog_driver;
        dialog_driver.setInterval(20);
        connect(&dialog_driver, &QTimer::timeout, this, [&] {
            QWidget* modal = QApplication::activeModalWidget();
            auto* dialog = qobject_cast<QFileDialog*>(modal);
            if (!dialog) {
                if (auto* box = qobject_cast<QMessageBox*>(modal)) {
                    message = box->text();
                    box->reject();
                }
                return;
            }
            if (handled) return;
            handled = true;
            start_folder = dialog->directory().absolutePath();
            const QStringList selected = dialog->selectedFiles();
            suggested_name = selected.isEmpty() ? QString() : QFileInfo(selected.first()).fileName();
            filters = dialog->nameFilters();
            read_only = dialog->testOption(QFileDialog::ReadOnly);
            dialog->setDirectory(chosen);
            dialog->selectNameFilter(filters.value(1));
            if (auto* name_field = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"))) name_field->setText(QStringLiteral("chart"));
            static_cast<QDialog*>(dialog)->accept();  // what the Save button does
        });
        dialog_driver.start();
        QMenu* menu = openMenu(plot);
        QVERIFY(menu);
        clickAction(menu, actionNamed(menu, QStringLiteral("Save image…")));
        QTRY_VERIFY(handled);
        QTRY_VERIFY(!QApplication::activeModalWidget());
        QCOMPARE(message, QString());

        QCOMPARE(start_folder, QDir(folder.path()).absolutePath());
        QCOMPARE(suggested_name, QStringLiteral("matching-loss.png"));
        QCOMPARE(filters, QStringList({"PNG image (*.png)", "SVG drawing (*.svg)", "PDF document (*.pdf)"}));
        QVERIFY(!read_only);
        const QString saved = QDir(chosen).filePath(QStringLiteral("chart.svg"));
        QTRY_VERIFY(QFileInfo::exists(saved));
        QVERIFY(fileBytes(saved).contains("<svg"));
        QCOMPARE(plot->exportFolder(), QDir(chosen).absolutePath());  // the next dialog starts where this one saved
    }
};

QTEST_MAIN(TestWidgets)
#include "tst_widgets.moc"
