#include "workbench/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTime>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>
#include <numeric>

#include "common/message.h"
#include "workbench/cross_evaluation_dialog.h"
#include "config/settings.h"
#include "widgets/hyperparameter_panel.h"
#include "widgets/image_grid_view.h"
#include "widgets/loss_plot_view.h"
#include "widgets/lr_plot_view.h"
#include "widgets/memory_plot_view.h"
#include "widgets/plot_style.h"
#include "widgets/soft_label_view.h"
#include "workbench/image_export.h"
#include "workbench/run_comparison_window.h"
#include "workbench/run_follower.h"

namespace distillery::ui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// The Preset box's choice: an embedded preset's name or a preset file, or an opened saved run,
// whose settings (from its checkpoint) the item carries as its data.
Settings preset_settings(const QComboBox& box) {
    const QString saved = box.currentData().toString();
    if (!saved.isEmpty()) return Settings::parse(saved.toStdString(), "the saved run");
    return load_preset(box.currentText().toStdString());
}

// A preset's value of a key with the command line's --set changes over it, or `fallback` when
// neither sets it.
QString setting_value(const QComboBox& box, const QStringList& overrides, const char* key, const QString& fallback) {
    try {
        Settings s = preset_settings(box);
        for (const auto& assignment : overrides) s.assign(assignment.toStdString());
        return qs(s.text(key, fallback.toStdString()));
    } catch (const std::exception&) {
        return fallback;
    }
}

// Engine refusals in the interface's language (core/common/engine_messages.h).
std::string translate_engine_message(const char* format) {
    return QCoreApplication::translate("distillery::engine_messages", format).toStdString();
}

}  // namespace

QString timeLeft(double seconds) {
    if (!(seconds >= 0) || !qIsFinite(seconds)) return MainWindow::tr("time left unknown");
    const auto s = static_cast<qint64>(seconds + 0.5);
    if (s < 60) return MainWindow::tr("%n s left", nullptr, static_cast<int>(s));
    const qint64 minutes = (s + 30) / 60;
    if (minutes < 60) return MainWindow::tr("%n min left", nullptr, static_cast<int>(minutes));
    return MainWindow::tr("%1 h %2 min left").arg(minutes / 60).arg(minutes % 60);
}

MainWindow::MainWindow(const StartOptions& options, QWidget* parent) : QMainWindow(parent), options_(options) {
    set_message_translator(&translate_engine_message);  // before the worker thread exists
    setWindowTitle(tr("Distillery — dataset distillation workbench"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/distillery.png")));
    setDockNestingEnabled(true);
    worker_ = new RunWorker(this);
    buildViews();
    buildSetupDock();
    buildActions();
    connectWorker();
    default_layout_ = saveState();
    restoreSettings(options);
    onState(static_cast<int>(WorkerState::Idle), describe(WorkerState::Idle));
    applySetup();
}

MainWindow::~MainWindow() {
    // The worker's destructor aborts and joins the thread; the views it signals are still alive.
    delete worker_;
    worker_ = nullptr;
}

QDockWidget* MainWindow::addDock(QWidget* view, const QString& title, const QString& name, Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(name);  // saveState() needs names
    dock->setWidget(view);
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::buildViews() {
    grid_ = new ImageGridView;
    setCentralWidget(grid_);
    loss_ = new LossPlotView;
    lr_ = new LrPlotView;
    memory_ = new MemoryPlotView;
    soft_ = new SoftLabelView;
    panel_ = new HyperparameterPanel;
    log_view_ = new QPlainTextEdit;
    log_view_->setReadOnly(true);
    log_view_->setMaximumBlockCount(2000);

    auto* loss_dock = addDock(loss_, tr("Matching loss"), "dock_loss", Qt::RightDockWidgetArea);
    // Short titles: three of them share one row of tabs in a laptop's dock.
    auto* lr_dock = addDock(lr_, tr("Learned lr"), "dock_lr", Qt::RightDockWidgetArea);
    auto* memory_dock = addDock(memory_, tr("Memory against N"), "dock_memory", Qt::RightDockWidgetArea);
    auto* soft_dock = addDock(soft_, tr("Soft labels"), "dock_soft_labels", Qt::RightDockWidgetArea);
    auto* panel_dock = addDock(panel_, tr("Hyperparameters"), "dock_hyperparameters", Qt::LeftDockWidgetArea);
    auto* log_dock = addDock(log_view_, tr("Log"), "dock_log", Qt::BottomDockWidgetArea);
    tabifyDockWidget(lr_dock, memory_dock);
    tabifyDockWidget(memory_dock, soft_dock);
    lr_dock->raise();
    // The loss and the tabbed views share the right-hand column evenly.
    resizeDocks({loss_dock, lr_dock}, {1, 1}, Qt::Vertical);
    (void)panel_dock;
    (void)log_dock;

    panel_->setValidator([this](const QString& key, const QString& value) {
        const QString problem = worker_->setHyperparameter(key, value);
        if (problem.isEmpty() && !worker_->hasRun()) pre_run_edits_ << key + '=' + value;
        return problem;
    });
    connect(panel_, &HyperparameterPanel::applied, this,
            [this](const QMap<QString, QString>& accepted, const QMap<QString, QString>& refused) {
                for (auto it = accepted.begin(); it != accepted.end(); ++it)
                    appendLog(tr("%1 set to %2 from the next step").arg(it.key(), it.value()));
                for (auto it = refused.begin(); it != refused.end(); ++it)
                    appendLog(tr("%1 refused: %2").arg(it.key(), it.value()));
                // The gradient mode is also a setup choice: keep the two in step.
                if (accepted.contains("gradient_mode")) {
                    const QSignalBlocker block(mode_);
                    mode_->setCurrentText(accepted.value("gradient_mode"));
                }
            });
    connect(memory_, &MemoryPlotView::sweepRequested, this, [this](const QStringList& modes, const QVector<int>& steps) {
        memory_->setSweepRunning(true);
        appendLog(tr("Memory sweep: %1 at N = %2").arg(modes.join(", "), [&] {
            QStringList n;
            for (int s : steps) n << QString::number(s);
            return n.join(", ");
        }()));
        worker_->requestSweep(modes, steps);
    });
}

void MainWindow::buildSetupDock() {
    auto* box = new QWidget;
    auto* form = new QFormLayout;

    preset_ = new QComboBox;
    preset_->setObjectName("setup_preset");
    for (const auto& name : preset_names()) preset_->addItem(qs(name));
    preset_->setToolTip(tr("The settings a run starts from (resources/presets); the choices below override them"));
    form->addRow(tr("Preset"), preset_);

    data_kind_ = new QComboBox;
    data_kind_->setObjectName("setup_data");
    data_kind_->addItem(tr("Fashion-MNIST (built in)"), "fashion-mnist");
    data_kind_->addItem(tr("CIFAR-10 binary folder…"), "cifar10");
    data_kind_->addItem(tr("CIFAR-100 binary folder…"), "cifar100");
    data_kind_->addItem(tr("Image folder (a folder per class)…"), "folder");
    data_kind_->addItem(tr("As the preset says"), "preset");
    form->addRow(tr("Data set"), data_kind_);
    data_spec_ = new QLineEdit;
    data_spec_->setToolTip(tr("fashion-mnist, cifar10:DIR, cifar100:DIR, folder:DIR[:HxWxC] or an IDX folder"));
    form->addRow(QString(), data_spec_);

    method_ = new QComboBox;
    method_->setObjectName("method");
    method_->addItem(tr("MTT (Cazenavette et al.)"), "mtt");
    method_->addItem(tr("TESLA (soft labels from the teacher)"), "tesla");
    method_->addItem(tr("DATM (learned labels, growing window)"), "datm");
    form->addRow(tr("Method"), method_);

    mode_ = new QComboBox;
    mode_->setObjectName("setup_gradient_mode");
    mode_->addItems({"unrolled", "tesla", "exact"});
    mode_->setToolTip(tr("unrolled: MTT's full back-propagation; tesla: TESLA's first-order constant-memory gradient; "
                         "exact: the unrolled gradient with constant activation memory"));
    form->addRow(tr("Gradient"), mode_);

    ipc_ = new QSpinBox;
    ipc_->setObjectName("setup_ipc");
    ipc_->setRange(1, 1000);
    ipc_->setToolTip(tr("Synthetic images per class"));
    form->addRow(tr("Images per class"), ipc_);

    data_summary_ = new QLabel(tr("No data loaded yet"));
    data_summary_->setObjectName("setup_data_summary");
    data_summary_->setWordWrap(true);
    // Wraps to the dock's width instead of widening the dock to its longest line.
    data_summary_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    form->addRow(tr("Data"), data_summary_);

    auto* experts_box = new QGroupBox(tr("Expert trajectories"));
    auto* experts_layout = new QVBoxLayout(experts_box);
    experts_label_ = new QLabel(tr("Not checked yet"));
    experts_label_->setWordWrap(true);
    experts_dir_ = new QLineEdit;
    experts_dir_->setObjectName("setup_experts_dir");
    experts_dir_->setPlaceholderText(tr("default: the experts folder beside the runs"));
    experts_dir_->setToolTip(tr("A folder of expert_NNNN.dtraj files; missing experts are trained into it"));
    auto* experts_buttons = new QHBoxLayout;
    auto* choose = new QPushButton(tr("Choose folder…"));
    auto* train = new QPushButton(tr("Train missing experts"));
    train->setObjectName("train_experts");
    experts_buttons->addWidget(choose);
    experts_buttons->addWidget(train);
    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    progress_label_ = new QLabel;
    progress_label_->setObjectName("progress_label");
    progress_label_->setWordWrap(true);
    experts_layout->addWidget(experts_label_);
    experts_layout->addWidget(experts_dir_);
    experts_layout->addLayout(experts_buttons);
    experts_layout->addWidget(progress_);
    experts_layout->addWidget(progress_label_);

    // The choices' texts are long ("DATM (learned labels, growing window)"): the boxes take the
    // dock's width and show the whole text in their lists, rather than widen the dock.
    for (QComboBox* choice : {preset_, data_kind_, method_, mode_}) {
        choice->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        choice->setMinimumContentsLength(10);
    }
    auto* layout = new QVBoxLayout(box);
    layout->addLayout(form);
    layout->addWidget(experts_box);
    layout->addStretch();
    // Scrolls rather than squeezing its rows over each other when the screen is short.
    setup_scroll_ = new QScrollArea;
    setup_scroll_->setWidget(box);
    setup_scroll_->setWidgetResizable(true);
    setup_scroll_->setFrameShape(QFrame::NoFrame);
    auto* dock = addDock(setup_scroll_, tr("Setup"), "dock_setup", Qt::LeftDockWidgetArea);
    splitDockWidget(dock, findChild<QDockWidget*>("dock_hyperparameters"), Qt::Vertical);

    // A new preset resets the choices to what it says.
    connect(preset_, &QComboBox::currentIndexChanged, this, [this] {
        showPresetChoices();
        pre_run_edits_.clear();
        applySetup();
    });
    connect(data_kind_, &QComboBox::activated, this, [this](int index) { chooseData(data_kind_->itemData(index).toString()); });
    connect(data_spec_, &QLineEdit::editingFinished, this, [this] {
        if (data_spec_->isModified()) applySetup();
        data_spec_->setModified(false);
    });
    connect(method_, &QComboBox::currentIndexChanged, this, [this] {
        const QString method = method_->currentData().toString();
        const QSignalBlocker block(mode_);
        // Each method's own gradient; the user can still pick any mode afterwards.
        if (method == "tesla") mode_->setCurrentText("tesla");
        else if (mode_->currentText() == "tesla") mode_->setCurrentText("unrolled");
        applySetup();
    });
    connect(mode_, &QComboBox::currentTextChanged, this, [this] {
        if (worker_->hasRun()) {
            // Mid-run the gradient mode is a hyperparameter like any other.
            panel_->setFieldText("gradient_mode", mode_->currentText());
            panel_->apply();
        } else {
            applySetup();
        }
    });
    connect(ipc_, &QSpinBox::editingFinished, this, &MainWindow::applySetup);
    connect(experts_dir_, &QLineEdit::editingFinished, this, [this] {
        if (experts_dir_->isModified()) applySetup();
        experts_dir_->setModified(false);
    });
    connect(choose, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Expert trajectories folder"), experts_dir_->text());
        if (dir.isEmpty()) return;
        experts_dir_->setText(dir);
        applySetup();
    });
    connect(train, &QPushButton::clicked, this, [this] {
        applySetup();
        worker_->trainExperts();
    });
}

void MainWindow::chooseData(const QString& kind) {
    if (kind == "fashion-mnist") {
        data_spec_->setText("fashion-mnist");
    } else if (kind == "preset") {
        data_spec_->clear();
    } else {
        const QString dir = QFileDialog::getExistingDirectory(
            this, kind == "folder" ? tr("Image folder (one subfolder per class)") : tr("Folder with the CIFAR binary files"));
        if (dir.isEmpty()) return;
        data_spec_->setText(kind + ':' + dir);
    }
    applySetup();
}

void MainWindow::buildActions() {
    auto make = [this](const QString& name, const QString& text, const QKeySequence& key, const QString& tip) {
        auto* a = new QAction(text, this);
        a->setObjectName(name);
        if (!key.isEmpty()) a->setShortcut(key);
        a->setToolTip(tip.isEmpty() ? text : tip + QStringLiteral(" (%1)").arg(key.toString(QKeySequence::NativeText)));
        a->setStatusTip(tip);
        return a;
    };
    auto* start = make("start", tr("&Start"), QKeySequence(Qt::CTRL | Qt::Key_R), tr("Start a new run (experts are trained first if missing)"));
    auto* pause = make("pause", tr("&Pause"), QKeySequence(Qt::CTRL | Qt::Key_P), tr("Pause after the current step"));
    auto* resume = make("resume", tr("Res&ume"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P), tr("Continue the paused run"));
    auto* step = make("step", tr("Step &once"), QKeySequence(Qt::Key_F10), tr("Perform one iteration, then pause"));
    auto* stop = make("stop", tr("S&top"), QKeySequence(Qt::CTRL | Qt::Key_Period), tr("End the run; its images stay for export"));
    auto* evaluate = make("evaluate", tr("&Evaluate now"), QKeySequence(Qt::Key_F9), tr("Train fresh networks on the synthetic set and test them"));
    auto* evaluate_networks = make("evaluate_networks", tr("Evaluate on other &networks…"), QKeySequence(Qt::CTRL | Qt::Key_F9),
                                   tr("Train ResNet-18, VGG-11, AlexNet, an MLP… on the synthetic set, beside the random real baselines"));
    auto* train = make("train_experts", tr("&Train missing experts"), {}, tr("Generate the expert trajectories the setup needs"));
    auto* export_grid = make("export_grid", tr("Export image &grid…"), QKeySequence(Qt::CTRL | Qt::Key_E), tr("Save the grid as one PNG"));
    auto* export_folders = make("export_folders", tr("Export images to &class folders…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
                                tr("Save every synthetic image as a PNG in a folder per class"));
    auto* open_preset = make("open_preset", tr("&Open preset file…"), QKeySequence::Open, tr("Start from a preset file of your own"));
    auto* open_run = make("open_run", tr("Open saved &run…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
                          tr("Continue a run from its checkpoint (.dckpt)"));
    auto* compare_runs = make("compare_runs", tr("Com&pare runs…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C),
                              tr("Overlay the curves of saved runs and show their images side by side"));
    auto* follow_run = make("follow_run", tr("Fo&llow a run folder…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F),
                            tr("Show a run that runs elsewhere (distillery-cli, a cluster job) live from its folder, read-only"));
    auto* stop_following = make("stop_following", tr("Stop follo&wing"), {}, tr("Stop showing the followed run's folder"));
    stop_following->setEnabled(false);
    auto* quit = make("quit", tr("&Quit"), QKeySequence::Quit, tr("Quit Distillery"));
    auto* zoom_in = make("zoom_in", tr("Zoom &in"), QKeySequence::ZoomIn, tr("Larger synthetic images"));
    auto* zoom_out = make("zoom_out", tr("Zoom &out"), QKeySequence::ZoomOut, tr("Smaller synthetic images"));
    auto* reset_layout = make("reset_layout", tr("&Reset layout"), {}, tr("Put every view back where it started"));
    auto* about = make("about", tr("&About Distillery"), {}, {});
    start->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    pause->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    resume->setIcon(style()->standardIcon(QStyle::SP_MediaSeekForward));
    step->setIcon(style()->standardIcon(QStyle::SP_MediaSkipForward));
    stop->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    export_grid->setIcon(style()->standardIcon(QStyle::SP_DialogSaveButton));

    connect(start, &QAction::triggered, this, [this] {
        applySetup();
        loss_->clear();
        lr_->clear();
        recent_seconds_.clear();
        worker_->start();
    });
    connect(pause, &QAction::triggered, worker_, &RunWorker::pause);
    connect(resume, &QAction::triggered, worker_, &RunWorker::resume);
    connect(step, &QAction::triggered, this, [this] {
        if (!worker_->hasRun()) {
            applySetup();
            loss_->clear();
            lr_->clear();
        }
        worker_->stepOnce();
    });
    connect(stop, &QAction::triggered, worker_, &RunWorker::stop);
    connect(evaluate, &QAction::triggered, worker_, &RunWorker::requestEvaluation);
    connect(evaluate_networks, &QAction::triggered, this, [this] {
        // One dialog, kept with its table when closed, so the results stay to look at again.
        auto* dialog = findChild<CrossEvaluationDialog*>();
        if (!dialog) {
            dialog = new CrossEvaluationDialog(this);
            connect(dialog, &CrossEvaluationDialog::evaluateRequested, worker_, &RunWorker::requestCrossEvaluation);
            connect(worker_, &RunWorker::crossEvaluationReady, dialog, &CrossEvaluationDialog::showResult);
            connect(worker_, &RunWorker::crossEvaluationFinished, dialog, &CrossEvaluationDialog::finish);
        }
        dialog->setRunAvailable(worker_->hasRun() && !follower_);
        dialog->show();
        dialog->raise();
        dialog->activateWindow();
    });
    connect(train, &QAction::triggered, this, [this] {
        applySetup();
        worker_->trainExperts();
    });
    connect(export_grid, &QAction::triggered, this, &MainWindow::exportGridInteractive);
    connect(export_folders, &QAction::triggered, this, &MainWindow::exportFoldersInteractive);
    connect(open_preset, &QAction::triggered, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Preset file"), {}, tr("Presets (*.preset);;All files (*)"));
        if (file.isEmpty()) return;
        if (preset_->findText(file) < 0) preset_->addItem(file);
        preset_->setCurrentText(file);
    });
    connect(open_run, &QAction::triggered, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Saved run"), checkpoint_label_->toolTip(),
                                                          tr("Distillery checkpoints (*.dckpt);;All files (*)"));
        if (!file.isEmpty()) openRun(file);
    });
    connect(follow_run, &QAction::triggered, this, [this] {
        QString start = follow_dir_;
        if (start.isEmpty() && options_.remember) start = QSettings().value("follow/dir").toString();
        if (start.isEmpty()) start = options_.runs_dir.isEmpty() ? defaultRunsDir() : options_.runs_dir;
        if (!QFileInfo(start).isDir()) start = QDir::homePath();  // not the folder the app was started in
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Follow a run folder"), start);
        if (folder.isEmpty()) return;
        follow_dir_ = QFileInfo(folder).absolutePath();
        if (options_.remember) QSettings().setValue("follow/dir", follow_dir_);
        followRun(folder);
    });
    connect(stop_following, &QAction::triggered, this, &MainWindow::stopFollowing);
    connect(compare_runs, &QAction::triggered, this, [this] {
        // One comparison window, kept with its runs when closed, so it comes back as it was left.
        auto* window = findChild<RunComparisonWindow*>();
        if (!window) window = new RunComparisonWindow(options_.runs_dir, this);
        window->show();
        window->raise();
        window->activateWindow();
    });
    connect(quit, &QAction::triggered, this, &QWidget::close);
    connect(zoom_in, &QAction::triggered, grid_, &ImageGridView::zoomIn);
    connect(zoom_out, &QAction::triggered, grid_, &ImageGridView::zoomOut);
    connect(reset_layout, &QAction::triggered, this, [this] { restoreState(default_layout_); });
    connect(about, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About Distillery"),
                           tr("<b>Distillery</b> %1<br>Dataset distillation by trajectory matching: MTT, TESLA, DATM "
                              "and an exact constant-memory gradient, live.")
                               .arg(QApplication::applicationVersion()));
    });

    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(open_preset);
    file->addAction(open_run);
    file->addAction(compare_runs);
    file->addAction(follow_run);
    file->addAction(stop_following);
    file->addSeparator();
    file->addAction(export_grid);
    file->addAction(export_folders);
    file->addSeparator();
    file->addAction(quit);
    auto* run = menuBar()->addMenu(tr("&Run"));
    for (auto* a : {start, pause, resume, step, stop}) run->addAction(a);
    run->addSeparator();
    run->addAction(train);
    run->addAction(evaluate);
    run->addAction(evaluate_networks);
    auto* view = menuBar()->addMenu(tr("&View"));
    view->addAction(zoom_in);
    view->addAction(zoom_out);
    view->addSeparator();
    for (auto* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
    view->addSeparator();
    view->addAction(reset_layout);
    menuBar()->addMenu(tr("&Help"))->addAction(about);

    auto* bar = addToolBar(tr("Run"));
    bar->setObjectName("toolbar_run");
    for (auto* a : {start, pause, resume, step, stop}) bar->addAction(a);
    bar->addSeparator();
    bar->addAction(evaluate);
    bar->addAction(export_grid);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    state_label_ = new QLabel;
    run_label_ = new QLabel;
    device_label_ = new QLabel;
    statusBar()->addWidget(state_label_);
    statusBar()->addWidget(run_label_, 1);
    checkpoint_label_ = new QLabel;
    statusBar()->addPermanentWidget(checkpoint_label_);
    statusBar()->addPermanentWidget(device_label_);
}

void MainWindow::openRun(const QString& checkpoint) {
    if (state_ == WorkerState::Running || state_ == WorkerState::Paused) {
        appendLog(tr("Stop the current run before opening another one."));
        return;
    }
    stopFollowing();
    worker_->openRun(checkpoint);
}

void MainWindow::followRun(const QString& folder) {
    const bool busy = state_ == WorkerState::Running || state_ == WorkerState::Stepping || state_ == WorkerState::Paused ||
                      state_ == WorkerState::TrainingExperts || state_ == WorkerState::Busy;
    if (busy) {
        const QString why = tr("Stop the current run or job before following another run.");
        appendLog(why);
        QMessageBox::information(this, tr("Follow a run folder"), why);
        return;
    }
    if (!QFileInfo(folder).isDir()) {
        const QString why = tr("%1 is not a folder. Choose the folder a run writes (distillery-cli's --out).").arg(folder);
        appendLog(why);
        QMessageBox::warning(this, tr("Follow a run folder"), why);
        return;
    }
    stopFollowing();
    follower_ = new RunFollower(folder, 1000, this);
    connect(follower_, &RunFollower::updated, this, &MainWindow::onFollowUpdate);
    connect(follower_, &RunFollower::activityChanged, this, &MainWindow::onFollowActivity);
    // The views start empty: what they show from now on is the followed run's.
    loss_->clear();
    lr_->clear();
    recent_seconds_.clear();
    showImages({});
    iteration_ = 0;
    total_ = 0;
    checkpoint_label_->clear();
    const QString name = QFileInfo(follower_->folder()).fileName();
    setWindowTitle(tr("Distillery — following %1 (read-only)").arg(name));
    appendLog(tr("Following %1, read-only: its new iterations show as the run writes them. File → Stop following ends it.")
                  .arg(follower_->folder()));
    onState(static_cast<int>(state_), state_label_->text());
}

void MainWindow::stopFollowing() {
    if (!follower_) return;
    const QString folder = follower_->folder();
    delete follower_;
    follower_ = nullptr;
    setWindowTitle(tr("Distillery — dataset distillation workbench"));
    total_ = 0;  // the iteration count was the followed run's
    checkpoint_label_->clear();
    appendLog(tr("Stopped following %1").arg(folder));
    onState(static_cast<int>(state_), describe(state_));
}

QString MainWindow::followStateText() const {
    switch (follower_->activity()) {
    case RunFollower::Activity::Waiting: return tr("Following (read-only): waiting for the run's first checkpoint");
    case RunFollower::Activity::Running: return tr("Following (read-only): running");
    case RunFollower::Activity::Finished: return tr("Following (read-only): the run has finished");
    case RunFollower::Activity::Stopped: return tr("Following (read-only): a guard stopped the run at iteration %1").arg(follower_->iteration());
    case RunFollower::Activity::Stalled:
        return tr("Following (read-only): nothing new for %1 min; the run may have stopped")
            .arg(static_cast<int>(follower_->secondsSinceChange() / 60));
    }
    return {};
}

void MainWindow::onFollowUpdate(const FollowUpdate& update) {
    if (update.restarted) {
        loss_->clear();
        lr_->clear();
        recent_seconds_.clear();
        appendLog(tr("A new run started in %1: showing it from its start").arg(follower_->folder()));
    }
    // A checkpoint read (its values come with it) or new steps from metrics.csv.
    if (!update.steps.isEmpty() || !update.hyperparameters.isEmpty()) onSteps(update.steps, update.changes, update.iterations);
    for (const EvalPoint& e : update.evaluations) loss_->addEvaluation(e);
    if (!update.evaluations.isEmpty()) {
        // A run's evaluations can come all at once (distillery-cli writes metrics.csv at its end):
        // the log names the latest, the plot shows them all.
        const EvalPoint& e = update.evaluations.back();
        const QString latest = tr("Evaluation after %1 iterations: %2 % ± %3 test accuracy")
                                   .arg(e.iteration)
                                   .arg(100 * e.mean, 0, 'f', 2)
                                   .arg(100 * e.std, 0, 'f', 2);
        appendLog(update.evaluations.size() == 1
                      ? latest
                      : tr("%1 (the latest of %n evaluations read)", nullptr, static_cast<int>(update.evaluations.size())).arg(latest));
    }
    if (!update.images.isEmpty()) showImages(update.images);
    if (!update.hyperparameters.isEmpty()) panel_->setValues(update.hyperparameters);
    for (const QString& problem : update.problems) appendLog(tr("Following: %1").arg(problem));
    if (update.iteration >= 0) iteration_ = update.iteration;
    total_ = update.iterations;
    if (update.changed && update.newest_age_ms >= 0) {
        // When the run last wrote, by its files' times (the run may have stopped long before).
        const QDateTime written = QDateTime::currentDateTime().addMSecs(-update.newest_age_ms);
        checkpoint_label_->setText(tr("Last written %1").arg(written.toString(update.newest_age_ms < 12 * 3600 * 1000 ? "HH:mm:ss" : "yyyy-MM-dd HH:mm")));
    }
    checkpoint_label_->setToolTip(follower_->folder());
    state_label_->setText(followStateText());
    updateStatus();
}

void MainWindow::onFollowActivity() {
    state_label_->setText(followStateText());
    switch (follower_->activity()) {
    case RunFollower::Activity::Finished:
        appendLog(tr("The followed run has finished: %1 iterations").arg(follower_->iteration()));
        break;
    case RunFollower::Activity::Stopped:
        appendLog(tr("The followed run was stopped at iteration %1: %2").arg(follower_->iteration()).arg(follower_->guard()));
        break;
    case RunFollower::Activity::Stalled:
        appendLog(tr("The followed run wrote nothing new for %1 min: it may have stopped (File → Stop following ends following)")
                      .arg(static_cast<int>(follower_->secondsSinceChange() / 60)));
        break;
    case RunFollower::Activity::Running:
        if (follower_->iteration() > 0) appendLog(tr("The followed run is running, at iteration %1").arg(follower_->iteration()));
        break;
    case RunFollower::Activity::Waiting: break;
    }
    updateStatus();
}

void MainWindow::showImages(const SyntheticImages& images) {
    images_ = images;
    grid_->setImages(images);
    soft_->setImages(images);
    action("export_grid")->setEnabled(!images.isEmpty());
    action("export_folders")->setEnabled(!images.isEmpty());
}

QAction* MainWindow::action(const QString& name) const { return findChild<QAction*>(name); }

void MainWindow::connectWorker() {
    // Every worker signal crosses threads, so Qt queues it: these run on the UI thread.
    connect(worker_, &RunWorker::stateChanged, this, &MainWindow::onState);
    connect(worker_, &RunWorker::message, this, &MainWindow::appendLog);
    connect(worker_, &RunWorker::setupReady, this,
            [this](const QString& summary, const QString& device, const QString& dir, int have, int wanted) {
                if (!summary.isEmpty()) data_summary_->setText(summary);
                if (!device.isEmpty()) device_label_->setText(device == "cpu" ? tr("CPU") : tr("GPU (%1)").arg(device));
                experts_label_->setText(have >= wanted
                                            ? tr("%1 of %2 experts ready in %3").arg(have).arg(wanted).arg(dir)
                                            : tr("%1 of %2 experts in %3: Start trains the missing ones").arg(have).arg(wanted).arg(dir));
                progress_->setValue(have >= wanted ? progress_->maximum() : progress_->value());
                experts_ready_ = have >= wanted;
                setup_ready_ = true;
            });
    connect(worker_, &RunWorker::expertProgress, this, [this](qint64 done, qint64 total, double eta, const QString& detail) {
        progress_->setValue(total > 0 ? static_cast<int>(1000 * done / total) : 0);
        progress_label_->setText(tr("%1 · %2").arg(detail, timeLeft(eta)));
    });
    connect(worker_, &RunWorker::runOpened, this, &MainWindow::showOpenedRun);
    connect(worker_, &RunWorker::runStarted, this, [this](qint64 total, const QString& kind) {
        total_ = total;
        iteration_ = 0;
        loss_->clear();
        lr_->clear();
        memory_->setMemoryKind(kind);
        recent_seconds_.clear();
    });
    connect(worker_, &RunWorker::stepsReady, this, &MainWindow::onSteps);
    connect(worker_, &RunWorker::imagesReady, this, &MainWindow::showImages);
    connect(worker_, &RunWorker::hyperparametersChanged, this, [this](const QMap<QString, QString>& values) {
        if (!follower_) panel_->setValues(values);  // while following, the panel shows the followed run's
    });
    connect(worker_, &RunWorker::evaluationReady, this, [this](const EvalPoint& e, const QString&) { loss_->addEvaluation(e); });
    connect(worker_, &RunWorker::sweepPoint, this, [this](const MemoryPoint& p, int done, int total) {
        memory_->addSweepPoints({p});
        memory_->setSweepProgress(done, total);
    });
    connect(worker_, &RunWorker::sweepFinished, this, [this] { memory_->setSweepRunning(false); });
    connect(worker_, &RunWorker::checkpointSaved, this, [this](const QString& path, qint64 iteration) {
        checkpoint_label_->setText(tr("Saved at %1").arg(iteration));
        checkpoint_label_->setToolTip(path);
        // A live plot's image or data goes, by default, where the run's other files are (once per
        // run folder; the comparison window's plots keep their own).
        const QString folder = QFileInfo(path).absolutePath();
        if (folder == run_folder_) return;
        run_folder_ = folder;
        for (QWidget* view : std::initializer_list<QWidget*>{loss_, lr_, memory_, soft_})
            for (WorkbenchPlot* plot : view->findChildren<WorkbenchPlot*>()) plot->setExportFolder(folder);
    });
}

void MainWindow::onState(int state, const QString& text) {
    const WorkerState before = state_;
    state_ = static_cast<WorkerState>(state);
    logStateChange(before, state_);
    state_label_->setText(follower_ ? followStateText() : text);
    const bool running = state_ == WorkerState::Running || state_ == WorkerState::Stepping;
    const bool paused = state_ == WorkerState::Paused;
    const bool long_job = state_ == WorkerState::TrainingExperts || state_ == WorkerState::Busy || state_ == WorkerState::Loading;
    action("start")->setEnabled(!running && !paused && !long_job);
    action("pause")->setEnabled(running || long_job);
    action("resume")->setEnabled(paused);
    action("step")->setEnabled(!running && !long_job);
    action("stop")->setEnabled(running || paused || long_job);
    action("evaluate")->setEnabled(worker_->hasRun() && !long_job);
    action("evaluate_networks")->setEnabled(worker_->hasRun() && !long_job);
    if (auto* dialog = findChild<CrossEvaluationDialog*>()) dialog->setRunAvailable(worker_->hasRun() && !follower_);
    action("train_experts")->setEnabled(!running && !long_job);
    action("export_grid")->setEnabled(!images_.isEmpty());
    action("export_folders")->setEnabled(!images_.isEmpty());
    // What shapes the synthetic set is fixed while a run goes on.
    for (QWidget* w : std::initializer_list<QWidget*>{preset_, data_kind_, data_spec_, method_, ipc_, experts_dir_})
        w->setEnabled(!running && !paused && !long_job);
    // Following a run: nothing here may act on it, and nothing starts in its place until
    // following stops.
    action("follow_run")->setEnabled(!running && !paused && state_ != WorkerState::TrainingExperts && state_ != WorkerState::Busy);
    action("stop_following")->setEnabled(follower_ != nullptr);
    panel_->setEnabled(!follower_);
    if (follower_) {
        for (const char* name : {"start", "pause", "resume", "step", "stop", "evaluate", "evaluate_networks", "train_experts"})
            action(name)->setEnabled(false);
        for (QWidget* w : std::initializer_list<QWidget*>{preset_, data_kind_, data_spec_, method_, ipc_, experts_dir_})
            w->setEnabled(false);
    }
    // Always usable otherwise (the gradient mode may change mid-run, through the worker).
    mode_->setEnabled(!follower_);
    if (auto* train = findChild<QPushButton*>("train_experts")) train->setEnabled(!follower_);
    if (!running && !paused && !follower_) panel_->setValues(worker_->hyperparameters());
    if (state_ == WorkerState::TrainingExperts) progress_->setValue(0);
    // A long job's progress is in the Setup dock, which scrolls on a short screen: bring it into view.
    if (state_ == WorkerState::TrainingExperts || state_ == WorkerState::Busy) setup_scroll_->ensureWidgetVisible(progress_label_);
    if (!long_job) {
        // A finished or stopped job leaves no progress behind (an evaluation's "87 %", its ETA).
        progress_label_->clear();
        progress_->setValue(experts_ready_ ? progress_->maximum() : 0);
    }
    updateStatus();
}

void MainWindow::logStateChange(WorkerState before, WorkerState now) {
    if (before == now) return;
    const bool had_run = before == WorkerState::Running || before == WorkerState::Stepping || before == WorkerState::Paused;
    if (now == WorkerState::Paused && before == WorkerState::Stepping) appendLog(tr("Stepped to iteration %1").arg(worker_->iteration()));
    else if (now == WorkerState::Paused && before == WorkerState::Running) appendLog(tr("Paused at iteration %1").arg(worker_->iteration()));
    else if (now == WorkerState::Running && before == WorkerState::Paused) appendLog(tr("Resumed at iteration %1").arg(worker_->iteration()));
    else if (now == WorkerState::Ready && had_run) appendLog(tr("Stopped at iteration %1").arg(worker_->iteration()));
    // Only a run that was going finishes: a finished run back from an evaluation or from loading
    // another setup's data has not finished again.
    else if (now == WorkerState::Finished && (before == WorkerState::Running || before == WorkerState::Stepping))
        appendLog(tr("Finished: %1 iterations").arg(worker_->iteration()));
}

void MainWindow::onSteps(const QVector<StepPoint>& steps, const QVector<ChangeMark>& changes, qint64 total) {
    loss_->addSteps(steps);
    loss_->setChanges(changes);
    lr_->addSteps(steps);
    lr_->setChanges(changes);
    memory_->addSteps(steps);
    for (const auto& s : steps) {
        recent_seconds_.append(s.seconds);
        if (!s.updated) appendLog(tr("Iteration %1: update skipped").arg(s.iteration));
    }
    if (recent_seconds_.size() > 20) recent_seconds_.remove(0, recent_seconds_.size() - 20);
    if (!steps.isEmpty()) iteration_ = steps.back().iteration + 1;
    total_ = total;
    updateStatus();
}

void MainWindow::updateStatus() {
    if (total_ <= 0) {
        run_label_->clear();
        return;
    }
    QString text = tr("Iteration %1 / %2").arg(iteration_).arg(total_);
    // Speed and time left only while it runs: a paused run has neither.
    const bool moving = follower_ ? follower_->activity() == RunFollower::Activity::Running : state_ == WorkerState::Running;
    if (!recent_seconds_.isEmpty() && moving) {
        const double mean = std::accumulate(recent_seconds_.begin(), recent_seconds_.end(), 0.0) / recent_seconds_.size();
        text += tr(" · %1 it/s · %2").arg(mean > 0 ? 1.0 / mean : 0.0, 0, 'f', 2).arg(timeLeft(mean * (total_ - iteration_)));
    }
    run_label_->setText(text);
}

QString MainWindow::statusText() const { return state_label_->text() + QStringLiteral(" · ") + run_label_->text(); }

void MainWindow::appendLog(const QString& line) {
    const QString stamped = QTime::currentTime().toString("HH:mm:ss ") + line;
    log_lines_ << stamped;
    log_view_->appendPlainText(stamped);
    statusBar()->showMessage(line, 8000);
}

RunSetup MainWindow::currentSetup() const {
    RunSetup setup;
    // An opened saved run's item starts a new run from that run's settings.
    setup.settings_text = preset_->currentData().toString();
    if (setup.settings_text.isEmpty()) setup.preset = preset_->currentText();
    setup.overrides = options_.overrides;
    const QString spec = data_spec_->text().trimmed();
    if (!spec.isEmpty()) setup.overrides << "dataset=" + spec;
    const QString method = method_->currentData().toString();
    if (method != setting_value(*preset_, options_.overrides, "method", "mtt")) {
        // The method's defaults where they differ from the preset's method.
        setup.overrides << "method=" + method;
        if (method == "mtt") setup.overrides << "label_mode=hard" << "pix_init=real" << "sequential_generation=false";
        if (method == "tesla") setup.overrides << "label_mode=teacher" << "pix_init=real" << "sequential_generation=false";
        // DATM's window comes from the engine (DistillConfig::from_settings), which fits it to the
        // preset's start epochs and length.
        if (method == "datm") setup.overrides << "label_mode=learned" << "pix_init=correct" << "sequential_generation=true";
    }
    setup.overrides << "gradient_mode=" + mode_->currentText() << QStringLiteral("ipc=%1").arg(ipc_->value());
    setup.overrides << pre_run_edits_;
    setup.experts_dir = experts_dir_->text().trimmed();
    setup.runs_dir = options_.runs_dir;
    return setup;
}

void MainWindow::applySetup() {
    if (worker_->hasRun() && (state_ == WorkerState::Running || state_ == WorkerState::Paused)) return;
    try {
        worker_->prepare(currentSetup());
        panel_->setValues(worker_->hyperparameters());
    } catch (const std::exception& e) {
        appendLog(tr("Setup refused: %1").arg(qs(e.what())));
        QMessageBox::warning(this, tr("Setup"), qs(e.what()));
    }
}

void MainWindow::showPresetChoices() {
    const QSignalBlocker b1(method_), b2(mode_), b3(ipc_);
    // A saved run brings its own data set and experts; back on a preset, the user's own return.
    const QString run_experts = preset_->currentData(kRunExpertsRole).toString();
    const bool saved_run = !preset_->currentData().toString().isEmpty();
    if (saved_run) {
        if (!choices_before_run_) choices_before_run_ = DataChoices{data_kind_->currentIndex(), data_spec_->text(), experts_dir_->text()};
        data_kind_->setCurrentIndex(data_kind_->findData("preset"));
        data_spec_->clear();
        experts_dir_->setText(run_experts);
    } else if (choices_before_run_) {
        data_kind_->setCurrentIndex(choices_before_run_->kind);
        data_spec_->setText(choices_before_run_->spec);
        experts_dir_->setText(choices_before_run_->experts_dir);
        choices_before_run_.reset();
    }
    const QString method = setting_value(*preset_, options_.overrides, "method", "mtt");
    method_->setCurrentIndex(std::max(0, method_->findData(method)));
    const QString default_mode = method == "tesla" ? "tesla" : "unrolled";
    mode_->setCurrentText(setting_value(*preset_, options_.overrides, "gradient_mode", default_mode));
    ipc_->setValue(setting_value(*preset_, options_.overrides, "ipc", "10").toInt());
}

void MainWindow::showOpenedRun(const QString& checkpoint, const QString& settings_text, const QString& experts_dir) {
    const QSignalBlocker block(preset_);
    // One opened run at a time in the list: the newest replaces the one before.
    for (int i = preset_->count() - 1; i >= 0; --i)
        if (!preset_->itemData(i).toString().isEmpty()) preset_->removeItem(i);
    const QString folder = QFileInfo(checkpoint).absolutePath();
    preset_->addItem(tr("Saved run: %1").arg(QFileInfo(folder).fileName()), settings_text);
    const int item = preset_->count() - 1;
    preset_->setItemData(item, experts_dir, kRunExpertsRole);
    preset_->setItemData(item, folder, Qt::ToolTipRole);
    preset_->setCurrentIndex(item);
    showPresetChoices();
    pre_run_edits_.clear();
}

QString MainWindow::exportGrid(const QString& path, int scale) {
    const QString problem = ui::exportGridPng(images_, path, scale);
    appendLog(problem.isEmpty() ? tr("Image grid written to %1").arg(path) : tr("Export failed: %1").arg(problem));
    return problem;
}

QString MainWindow::exportClassFolders(const QString& dir, int scale) {
    int written = 0;
    const QString problem = ui::exportClassFolders(images_, dir, scale, &written);
    appendLog(problem.isEmpty() ? tr("%1 images written to class folders in %2").arg(written).arg(dir)
                                : tr("Export failed after %1 images: %2").arg(written).arg(problem));
    return problem;
}

QString MainWindow::exportFolder() const {
    // The current run's own folder first: that is where its other files are.
    const QString checkpoint = worker_->checkpointPath();
    if (!checkpoint.isEmpty()) return QFileInfo(checkpoint).absolutePath();
    if (options_.remember) return QSettings().value("export/dir", QDir::homePath()).toString();
    return QDir::homePath();
}

int MainWindow::exportScale(int fallback) const {
    return options_.remember ? QSettings().value("export/scale", fallback).toInt() : fallback;
}

void MainWindow::rememberExport(const QString& dir, int scale) {
    if (!options_.remember) return;  // --no-settings: nothing is written
    QSettings settings;
    settings.setValue("export/scale", scale);
    settings.setValue("export/dir", dir);
}

void MainWindow::exportGridInteractive() {
    bool ok = false;
    const int scale = QInputDialog::getInt(this, tr("Export image grid"), tr("Scale (pixels per image pixel):"),
                                           exportScale(4), 1, 64, 1, &ok);
    if (!ok) return;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export image grid"), QDir(exportFolder()).filePath("synthetic_grid.png"),
                                                      tr("PNG images (*.png)"));
    if (path.isEmpty()) return;
    rememberExport(QFileInfo(path).absolutePath(), scale);
    const QString problem = exportGrid(path.endsWith(".png", Qt::CaseInsensitive) ? path : path + ".png", scale);
    if (!problem.isEmpty()) QMessageBox::warning(this, tr("Export image grid"), problem);
}

void MainWindow::exportFoldersInteractive() {
    bool ok = false;
    const int scale = QInputDialog::getInt(this, tr("Export images"), tr("Scale (pixels per image pixel):"), exportScale(1), 1, 64,
                                           1, &ok);
    if (!ok) return;
    // The dialog has a button for a new folder.
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the class folders"), exportFolder());
    if (dir.isEmpty()) return;
    rememberExport(dir, scale);
    const QString problem = exportClassFolders(dir, scale);
    if (!problem.isEmpty()) QMessageBox::warning(this, tr("Export images"), problem);
}

QStringList MainWindow::saveScreenshots(const QString& dir) {
    QDir().mkpath(dir);
    grid_->refreshNow();
    loss_->refreshNow();
    lr_->refreshNow();
    memory_->refreshNow();
    soft_->refreshNow();
    QStringList written;
    const auto save = [&](QWidget* w, const QString& name, QSize size = {}) {
        const QString path = QDir(dir).filePath(name + ".png");
        // A docked view is as small as its dock; for its own picture it gets room, once, and its
        // dock lays it out again afterwards.
        const QSize before = w->size();
        if (size.isValid()) w->resize(size.expandedTo(before));
        if (w->grab().save(path)) written << path;
        if (size.isValid()) w->resize(before);
    };
    save(this, "workbench");
    save(grid_, "image_grid");
    save(loss_, "loss", {720, 420});
    save(lr_, "learning_rate", {720, 420});
    save(memory_, "memory", {720, 520});
    save(soft_, "soft_labels", {720, 820});
    save(panel_, "hyperparameters", {420, 640});
    return written;
}

void MainWindow::restoreSettings(const StartOptions& options) {
    QSettings settings;
    const QSignalBlocker b1(preset_), b2(method_), b3(mode_), b4(ipc_);
    QString preset = options.preset;
    if (preset.isEmpty() && options.remember) preset = settings.value("setup/preset").toString();
    if (preset.isEmpty()) preset = "quick";
    if (preset_->findText(preset) < 0) preset_->addItem(preset);
    preset_->setCurrentText(preset);
    const bool from_settings = options.remember && options.preset.isEmpty();
    QString spec = options.dataset;
    if (spec.isEmpty() && from_settings) spec = settings.value("setup/dataset").toString();
    data_spec_->setText(spec);
    showPresetChoices();
    if (from_settings) {
        method_->setCurrentIndex(std::max(0, method_->findData(settings.value("setup/method", method_->currentData()))));
        mode_->setCurrentText(settings.value("setup/mode", mode_->currentText()).toString());
        ipc_->setValue(settings.value("setup/ipc", ipc_->value()).toInt());
    }
    experts_dir_->setText(options.experts_dir);
    if (!options.remember) {
        fillScreen();
        return;
    }
    if (!restoreGeometry(settings.value("window/geometry").toByteArray())) {
        fillScreen();
        setWindowState(windowState() | Qt::WindowMaximized);  // where a window manager honours it
    }
    restoreState(settings.value("window/state").toByteArray());
    grid_->setZoom(settings.value("view/zoom", grid_->zoom()).toInt());
}

void MainWindow::fillScreen() {
    // No remembered size: the whole screen. The views are laid out for 1366×768 and up; a fixed
    // size larger than a laptop's screen would put the right-hand docks out of reach.
    const QRect available = screen()->availableGeometry();
    resize(available.size());
    move(available.topLeft());
    // About a quarter of the width for the setup, a third for the plots (three tabs side by side),
    // the rest for the images.
    const int width = available.width();
    resizeDocks({findChild<QDockWidget*>("dock_setup"), findChild<QDockWidget*>("dock_loss")}, {width * 27 / 100, width * 34 / 100},
                Qt::Horizontal);
    resizeDocks({findChild<QDockWidget*>("dock_log")}, {available.height() / 9}, Qt::Vertical);
}

void MainWindow::saveSettings() {
    if (!options_.remember) return;
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    // An opened run is not a setup to start from next time: the last one chosen stays.
    if (preset_->currentData().toString().isEmpty()) {
        settings.setValue("setup/preset", preset_->currentText());
        settings.setValue("setup/dataset", data_spec_->text());
        settings.setValue("setup/method", method_->currentData());
        settings.setValue("setup/mode", mode_->currentText());
        settings.setValue("setup/ipc", ipc_->value());
    }
    settings.setValue("view/zoom", grid_->zoom());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if ((state_ == WorkerState::Running || state_ == WorkerState::Paused) && options_.remember) {
        const auto answer = QMessageBox::question(
            this, tr("Quit Distillery"), tr("A run is in progress. Quit anyway? Its last checkpoint (at most 10 iterations back) stays in its "
               "folder, and File → Open saved run… continues it."));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
    }
    saveSettings();
    worker_->stop();
    event->accept();
}

}  // namespace distillery::ui
