// distillery: the workbench. Opens on Fashion-MNIST with the quick preset, ready to start.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLibraryInfo>
#include <QLocale>
#include <QTextStream>
#include <QTimer>
#include <QTranslator>

#include <ctime>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "widgets/image_grid_view.h"
#include "widgets/loss_plot_view.h"
#include "widgets/lr_plot_view.h"
#include "widgets/memory_plot_view.h"
#include "widgets/soft_label_view.h"
#include "workbench/main_window.h"
#include "workbench/ui_stall_probe.h"

using namespace distillery::ui;

namespace {

void load_translations(QApplication& app, const QString& lang) {
    const QLocale locale = lang.isEmpty() ? QLocale::system() : QLocale(lang);
    auto* ours = new QTranslator(&app);
    if (ours->load(locale, "distillery", "_", ":/i18n")) app.installTranslator(ours);
    auto* qt = new QTranslator(&app);  // Qt's own dialogs, where the system has Qt's translations
    if (qt->load(locale, "qtbase", "_", QLibraryInfo::path(QLibraryInfo::TranslationsPath))) app.installTranslator(qt);
    if (!lang.isEmpty()) QLocale::setDefault(locale);
}

// For each view, how often it redrew and what it shows at the end (points, or images): a script
// tells a view that draws from one that only receives data.
QJsonObject viewReport(const MainWindow& window) {
    const auto entry = [](const RepaintCoalescer* coalescer, int shown) {
        return QJsonObject{{"redraws", coalescer->redrawCount()}, {"shown", shown}};
    };
    return {{"image_grid", entry(window.imageView()->coalescer(), window.imageView()->shownCount())},
            {"loss", entry(window.lossView()->coalescer(), window.lossView()->shownCount())},
            {"learning_rate", entry(window.lrView()->coalescer(), window.lrView()->shownCount())},
            {"memory", entry(window.memoryView()->coalescer(), window.memoryView()->shownCount())},
            {"soft_labels", entry(window.softLabelView()->coalescer(), window.softLabelView()->shownCount())}};
}

QVector<int> parse_steps(const QString& text) {
    QVector<int> steps;
    for (const auto& part : text.split(',', Qt::SkipEmptyParts)) steps << part.trimmed().toInt();
    steps.removeAll(0);
    return steps;
}

}  // namespace

int main(int argc, char** argv) {
    QGuiApplication::setHighDpiScaleFactorRoundingPolicy(Qt::HighDpiScaleFactorRoundingPolicy::PassThrough);
    QApplication app(argc, argv);
    QApplication::setOrganizationName("Distillery");
    QApplication::setApplicationName("Distillery");
    QApplication::setApplicationVersion(DISTILLERY_VERSION);
    QApplication::setWindowIcon(QIcon(":/icons/distillery.png"));
    QApplication::setDesktopFileName("distillery");

    QCommandLineParser cli;
    cli.setApplicationDescription("Distillery: dataset distillation by trajectory matching, live.");
    cli.addHelpOption();
    cli.addVersionOption();
    const QCommandLineOption preset("preset", "Start from this preset (name or file).", "name");
    const QCommandLineOption data("data", "Data set: fashion-mnist, cifar10:DIR, cifar100:DIR, folder:DIR.", "spec");
    const QCommandLineOption set("set", "Change one setting (repeatable), e.g. --set syn_steps=20.", "key=value");
    const QCommandLineOption experts("experts", "Expert trajectories folder.", "dir");
    const QCommandLineOption lang("lang", "Interface language, e.g. de or en (default: the system's).", "code");
    const QCommandLineOption start("start", "Start the run at once.");
    const QCommandLineOption quit_after("quit-after", "Quit once the run has done this many iterations.", "n");
    const QCommandLineOption screenshots("screenshots", "Save screenshots of every view into this folder, then quit.", "dir");
    const QCommandLineOption shot_at("screenshot-at", "Iterations before the screenshots (default 5).", "n", "5");
    const QCommandLineOption sweep("sweep", "Before the screenshots, run a memory sweep at these N.", "list");
    const QCommandLineOption measure("measure", "Write UI stalls and engine step times as JSON to this file at exit.", "file");
    const QCommandLineOption no_probe("no-stall-probe",
                                      "With --measure: only the engine's step times, without the 10 ms UI timer that measures stalls.");
    const QCommandLineOption open_run("open", "Open a saved run (.dckpt) paused where it was saved; with --start, continue it.", "file");
    const QCommandLineOption follow("follow",
                                    "Follow the folder of a run that runs elsewhere (distillery-cli distill --out DIR), read-only.", "dir");
    const QCommandLineOption runs("runs", "Folder for the runs' checkpoints (default: the application's data folder).", "dir");
    const QCommandLineOption fresh("no-settings", "Neither read nor write the remembered settings and layout.");
    for (const auto& o : {preset, data, set, experts, lang, start, quit_after, screenshots, shot_at, sweep, measure, no_probe, open_run, follow, runs,
                          fresh})
        cli.addOption(o);
    cli.process(app);
    load_translations(app, cli.value(lang));

    StartOptions options;
    options.preset = cli.value(preset);
    options.dataset = cli.value(data);
    options.overrides = cli.values(set);
    options.experts_dir = cli.value(experts);
    options.runs_dir = cli.value(runs);
    options.remember = !cli.isSet(fresh);
    MainWindow window(options);
    window.show();
    RunWorker* worker = window.worker();

    UiStallProbe probe;
    QVector<double> step_seconds;
    // What the views cost, free of the machine's noise: the UI thread's own CPU time from the
    // run's start to the end, against the wall time (the engine runs on the worker thread).
    const auto thread_cpu_s = [] {
        timespec t{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9;
    };
    double ui_cpu_at_start = -1;
    QElapsedTimer since_run_start;
    QObject::connect(worker, &RunWorker::runStarted, &window, [&] {
        ui_cpu_at_start = thread_cpu_s();
        since_run_start.start();
    });
    // The probe wakes the UI thread 100 times a second; on two cores that alone can slow the engine,
    // so the slowdown is measured without it (--no-stall-probe) and the stalls with it.
    if (!cli.isSet(no_probe)) QObject::connect(worker, &RunWorker::runStarted, &probe, [&] { probe.start(); });
    QObject::connect(worker, &RunWorker::stepsReady, &probe, [&](const QVector<StepPoint>& steps) {
        for (const auto& s : steps) step_seconds << s.seconds;
    });

    // Scripted runs (screenshots, measurements): stop after a number of iterations.
    const qint64 stop_at = cli.isSet(screenshots) ? cli.value(shot_at).toLongLong()
                                                  : (cli.isSet(quit_after) ? cli.value(quit_after).toLongLong() : -1);
    if (stop_at > 0) {
        QObject::connect(worker, &RunWorker::stepsReady, &window, [&, stop_at](const QVector<StepPoint>& steps) {
            if (!steps.isEmpty() && steps.back().iteration + 1 >= stop_at) worker->pause();
        });
        auto finishing = std::make_shared<bool>(false);
        QObject::connect(worker, &RunWorker::stateChanged, &window, [&, stop_at, finishing](int state) {
            if (static_cast<WorkerState>(state) != WorkerState::Paused || worker->iteration() < stop_at) return;
            // Once: the sweep below pauses the run again when it ends.
            if (*finishing) return;
            *finishing = true;
            const QVector<int> sweep_steps = parse_steps(cli.value(sweep));
            auto finish = [&] {
                if (cli.isSet(screenshots)) {
                    const auto files = window.saveScreenshots(cli.value(screenshots));
                    for (const auto& f : files) std::printf("screenshot: %s\n", qPrintable(f));
                }
                app.quit();
            };
            if (cli.isSet(screenshots) && !sweep_steps.isEmpty()) {
                QObject::connect(worker, &RunWorker::sweepFinished, &window, [finish] { QTimer::singleShot(600, finish); });
                window.memoryView()->setSweepRunning(true);
                worker->requestSweep({"unrolled", "tesla", "exact"}, sweep_steps);
            } else {
                QTimer::singleShot(600, finish);  // let the views draw the last snapshot
            }
        });
    }
    if (cli.isSet(follow)) {
        window.followRun(cli.value(follow));
    } else if (cli.isSet(open_run)) {
        window.openRun(cli.value(open_run));
        if (cli.isSet(start) || stop_at > 0) {
            // Continue once the run is open (the first time the worker reports it paused).
            auto once = std::make_shared<QMetaObject::Connection>();
            *once = QObject::connect(worker, &RunWorker::stateChanged, &window, [worker, once](int state) {
                if (static_cast<WorkerState>(state) != WorkerState::Paused) return;
                QObject::disconnect(*once);
                worker->resume();
            });
        }
    } else if (cli.isSet(start) || stop_at > 0) {
        // Start is enabled once the data is loaded: start then, the first time the worker is ready.
        auto once = std::make_shared<QMetaObject::Connection>();
        *once = QObject::connect(worker, &RunWorker::stateChanged, &window, [&window, once](int state) {
            if (static_cast<WorkerState>(state) != WorkerState::Ready || !window.action("start")->isEnabled()) return;
            QObject::disconnect(*once);
            window.action("start")->trigger();
        });
        QTimer::singleShot(0, &window, [&window, once] {  // in case it was ready before we listened
            if (!window.action("start")->isEnabled() || window.shownState() != WorkerState::Ready) return;
            QObject::disconnect(*once);
            window.action("start")->trigger();
        });
    }

    const int rc = app.exec();
    probe.stop();
    const double ui_cpu_s = ui_cpu_at_start < 0 ? 0 : thread_cpu_s() - ui_cpu_at_start;
    const double run_wall_s = since_run_start.isValid() ? since_run_start.nsecsElapsed() / 1e9 : 0;
    if (cli.isSet(measure)) {
        QJsonArray seconds;
        for (double s : step_seconds) seconds.append(s);
        const QJsonObject report{{"ui_ticks", probe.ticks()},
                                 {"ui_longest_stall_ms", probe.longestMs()},
                                 {"ui_longest_stall_at_s", probe.longestAtMs() / 1000.0},
                                 {"ui_stall_p99_ms", probe.quantileMs(0.99)},
                                 {"ui_ticks_over_50ms", probe.ticksLaterThan(50)},
                                 {"ui_thread_cpu_s", ui_cpu_s},
                                 {"run_wall_s", run_wall_s},
                                 {"step_seconds", seconds},
                                 {"steps_received", static_cast<qint64>(step_seconds.size())},
                                 {"views", viewReport(window)}};
        QFile f(cli.value(measure));
        if (f.open(QIODevice::WriteOnly)) f.write(QJsonDocument(report).toJson());
        std::printf("ui: longest stall %.1f ms (%.1f s after the run started), p99 %.1f ms, %d of %d ticks over 50 ms\n",
                    probe.longestMs(), probe.longestAtMs() / 1000.0, probe.quantileMs(0.99), probe.ticksLaterThan(50),
                    probe.ticks());
        const QJsonObject views = report.value("views").toObject();
        for (auto it = views.begin(); it != views.end(); ++it)
            std::printf("view %s: %d redraws, %d shown\n", qPrintable(it.key()), it.value().toObject().value("redraws").toInt(),
                        it.value().toObject().value("shown").toInt());
        std::printf("ui: the UI thread used %.2f s of CPU in %.1f s of the run (%.1f %% of one core)\n", ui_cpu_s,
                    run_wall_s, run_wall_s > 0 ? 100 * ui_cpu_s / run_wall_s : 0.0);
    }
    return rc;
}
