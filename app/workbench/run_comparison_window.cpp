#include "workbench/run_comparison_window.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPixmap>
#include <QPromise>
#include <QPushButton>
#include <QSplitter>
#include <QStandardPaths>
#include <QStyle>
#include <QThreadPool>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <iterator>
#include <utility>

#include "widgets/image_grid_view.h"
#include "widgets/plot_style.h"

namespace distillery::ui {
namespace {

// A colour per run, in the order the runs were added (the usual ten-colour plot palette, so that
// neighbours differ strongly).
QColor runColor(int index) {
    static const QColor colors[] = {{31, 119, 180}, {255, 127, 14},  {44, 160, 44},  {214, 39, 40},
                                    {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                                    {188, 189, 34},  {23, 190, 207}};
    return colors[index % std::size(colors)];
}

// The run's colour as a small square, so a chooser's entries match the legends.
QIcon colorSwatch(const QColor& color) {
    QPixmap swatch(12, 12);
    swatch.fill(color);
    return QIcon(swatch);
}

// Reads the folders one after another on a pool thread, sending each run as soon as it is read.
void readRuns(QPromise<RunCurves>& promise, const std::shared_ptr<RunLoader>& loader, const QStringList& paths) {
    for (const QString& path : paths)
        for (const QString& folder : RunLoader::runFolders(path)) {
            if (promise.isCanceled()) return;
            promise.addResult(loader->load(folder));
        }
}

}  // namespace

RunComparisonWindow::RunComparisonWindow(const QString& runs_dir, QWidget* parent)
    : QDialog(parent),
      runs_dir_(runs_dir.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/runs" : runs_dir),
      loader_(std::make_shared<RunLoader>()) {
    setObjectName("run_comparison");
    setWindowTitle(tr("Compare runs"));
    setWindowFlags(windowFlags() | Qt::WindowMinMaxButtonsHint);
    setSizeGripEnabled(true);

    add_button_ = new QPushButton(tr("Add runs…"));
    add_button_->setObjectName("add_runs");
    add_button_->setAutoDefault(false);
    add_button_->setToolTip(tr("Choose one or more run folders (Ctrl+click), written by distillery-cli distill --out "
                               "or by the workbench; a folder of run folders adds them all"));
    status_ = new QLabel;
    auto* top = new QHBoxLayout;
    top->addWidget(add_button_);
    top->addWidget(status_, 1);

    problem_list_ = new QListWidget;
    problem_list_->setObjectName("comparison_problems");
    problem_list_->setMaximumHeight(fontMetrics().height() * 5);
    problem_list_->setWordWrap(true);
    problem_list_->setVisible(false);

    const auto makePlot = [](const QString& y_label) {
        auto* plot = new WorkbenchPlot;
        plot->xAxis->setLabel(tr("Iteration"));
        plot->yAxis->setLabel(y_label);
        return plot;
    };
    loss_plot_ = makePlot(tr("Matching loss"));
    lr_plot_ = makePlot(tr("Learned student learning rate"));
    accuracy_plot_ = makePlot(tr("Test accuracy (%)"));
    auto* plots = new QSplitter(Qt::Vertical);
    for (WorkbenchPlot* plot : {loss_plot_, lr_plot_, accuracy_plot_}) plots->addWidget(plot);

    auto* images = new QSplitter(Qt::Horizontal);
    for (Side& side : sides_) {
        side.choice = new QComboBox;
        side.choice->setToolTip(tr("The run whose synthetic images this side shows"));
        side.note = new QLabel;
        side.note->setWordWrap(true);
        side.note->setVisible(false);
        side.grid = new ImageGridView;
        auto* pane = new QWidget;
        auto* layout = new QVBoxLayout(pane);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(side.choice);
        layout->addWidget(side.note);
        layout->addWidget(side.grid, 1);
        images->addWidget(pane);
    }
    for (int side = 0; side < 2; ++side) {
        connect(sides_[side].choice, &QComboBox::currentIndexChanged, this, [this, side] { showChosen(side); });
        // Both sides at one zoom, so that their pixels compare one to one.
        connect(sides_[side].grid, &ImageGridView::zoomChanged, sides_[1 - side].grid, &ImageGridView::setZoom);
    }

    auto* body = new QSplitter(Qt::Horizontal);
    body->addWidget(plots);
    body->addWidget(images);
    body->setSizes({600, 800});  // the grids' own size hints would leave the plots a sliver

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(problem_list_);
    layout->addWidget(body, 1);
    resize(1400, 900);

    watcher_ = new QFutureWatcher<RunCurves>(this);
    connect(watcher_, &QFutureWatcherBase::resultReadyAt, this, [this](int index) { addRun(watcher_->resultAt(index)); });
    // Results arrive before `finished`, so every run of the batch is in when the next one starts.
    connect(watcher_, &QFutureWatcherBase::finished, this, [this] {
        reading_ = false;
        loadQueued();
        updateStatus();
        if (!isLoading()) Q_EMIT loadingFinished();
    });
    connect(add_button_, &QPushButton::clicked, this, &RunComparisonWindow::chooseRuns);
    updateStatus();
}

RunComparisonWindow::~RunComparisonWindow() {
    // A batch being read stops after its current run; it holds its own share of the loader.
    watcher_->future().cancel();
    // The loader keeps data transforms, which are tensors: the last share goes on a pool thread,
    // never on this one.
    QThreadPool::globalInstance()->start([loader = std::move(loader_)]() mutable { loader.reset(); });
}

void RunComparisonWindow::addRuns(const QStringList& folders_or_checkpoints) {
    queued_ += folders_or_checkpoints;
    loadQueued();
    updateStatus();
}

bool RunComparisonWindow::isLoading() const { return reading_ || !queued_.isEmpty(); }

void RunComparisonWindow::loadQueued() {
    // One batch at a time: a new future on the watcher would drop the old one's undelivered runs.
    if (reading_ || queued_.isEmpty()) return;
    reading_ = true;
    watcher_->setFuture(QtConcurrent::run(readRuns, loader_, std::exchange(queued_, {})));
}

void RunComparisonWindow::chooseRuns() {
    QFileDialog dialog(this, tr("Add runs"), dialog_dir_.isEmpty() ? runs_dir_ : dialog_dir_);
    dialog.setFileMode(QFileDialog::Directory);
    dialog.setOption(QFileDialog::ShowDirsOnly);
    // Qt's own dialog: in it, unlike in the platform's, several folders can be selected at once.
    dialog.setOption(QFileDialog::DontUseNativeDialog);
    for (const char* name : {"listView", "treeView"})
        if (auto* view = dialog.findChild<QAbstractItemView*>(name)) view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    if (dialog.exec() != QDialog::Accepted) return;
    dialog_dir_ = dialog.directory().absolutePath();
    addRuns(dialog.selectedFiles());
}

void RunComparisonWindow::addRun(RunCurves run) {
    addProblems(run.problems);
    if (!run.hasData()) return;
    for (const RunCurves& open : std::as_const(runs_)) {
        if (open.folder == run.folder) return;  // asked for twice: it is shown already
        // Two runs of one name (e.g. runs/a/quick and runs/b/quick): the legend needs the parent too.
        if (open.name == run.name) run.name = QFileInfo(QFileInfo(run.folder).path()).fileName() + '/' + run.name;
    }
    const QColor color = runColor(static_cast<int>(runs_.size()));
    runs_.append(run);
    plotRun(run, color);
    for (Side& side : sides_) side.choice->addItem(colorSwatch(color), run.name);
    // The second run opened goes to the right-hand side; after that, the user chooses.
    if (runs_.size() == 2 && sides_[1].choice->currentIndex() == sides_[0].choice->currentIndex())
        sides_[1].choice->setCurrentIndex(1);
    updateStatus();
}

void RunComparisonWindow::plotRun(const RunCurves& run, const QColor& color) {
    // A step whose loss or lr is not finite has no height to draw.
    QVector<double> loss_x, loss_y, lr_x, lr_y;
    for (const StepPoint& step : run.steps) {
        const auto x = static_cast<double>(step.iteration);
        if (qIsFinite(step.loss)) {
            loss_x << x;
            loss_y << step.loss;
        }
        if (qIsFinite(step.lr)) {
            lr_x << x;
            lr_y << step.lr;
        }
    }
    QCPGraph* loss = loss_plot_->addGraph();
    loss->setData(loss_x, loss_y);
    QCPGraph* lr = lr_plot_->addGraph();
    lr->setData(lr_x, lr_y);

    // Sorted here, so that each error bar stays with its point.
    QVector<EvalPoint> evaluations = run.evaluations;
    std::stable_sort(evaluations.begin(), evaluations.end(),
                     [](const EvalPoint& a, const EvalPoint& b) { return a.iteration < b.iteration; });
    QVector<double> eval_x, mean, spread;
    for (const EvalPoint& e : std::as_const(evaluations)) {
        eval_x << static_cast<double>(e.iteration);
        mean << 100 * e.mean;
        spread << 100 * e.std;
    }
    QCPGraph* accuracy = accuracy_plot_->addGraph();
    accuracy->setData(eval_x, mean, true);
    accuracy->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, 6));
    auto* error_bars = new QCPErrorBars(accuracy_plot_->xAxis, accuracy_plot_->yAxis);
    error_bars->setDataPlottable(accuracy);
    error_bars->setData(spread);
    error_bars->setPen(QPen(color, 1));
    error_bars->setWhiskerWidth(6);

    for (QCPGraph* graph : {loss, lr, accuracy}) {
        graph->setName(run.name);
        graph->setPen(QPen(color, 1.5));
    }
    for (WorkbenchPlot* plot : {loss_plot_, lr_plot_, accuracy_plot_}) {
        plot->updateLegend();
        plot->followData();  // a new run is shown whole, even where the user had moved the axes
        plot->fitIfFollowing();
        plot->replot();
    }
}

void RunComparisonWindow::showChosen(int side) {
    Side& s = sides_[side];
    const int index = s.choice->currentIndex();
    const RunCurves* chosen = index >= 0 && index < runs_.size() ? &runs_[index] : nullptr;
    s.grid->setImages(chosen ? chosen->images : SyntheticImages());
    const bool no_images = chosen && chosen->images.isEmpty();
    s.note->setText(no_images ? tr("%1 has no images to show: see the messages above").arg(chosen->name) : QString());
    s.note->setVisible(no_images);
}

void RunComparisonWindow::addProblems(const QStringList& problems) {
    const QIcon icon = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    for (const QString& problem : problems) {
        auto* item = new QListWidgetItem(icon, problem, problem_list_);
        item->setToolTip(problem);
    }
    problem_list_->setVisible(problem_list_->count() > 0);
    if (!problems.isEmpty()) problem_list_->scrollToBottom();
}

QStringList RunComparisonWindow::runNames() const {
    QStringList names;
    for (const RunCurves& run : runs_) names << run.name;
    return names;
}

QStringList RunComparisonWindow::problems() const {
    QStringList shown;
    for (int i = 0; i < problem_list_->count(); ++i) shown << problem_list_->item(i)->text();
    return shown;
}

void RunComparisonWindow::updateStatus() {
    if (isLoading()) status_->setText(tr("Reading runs…"));
    else if (runs_.isEmpty()) status_->setText(tr("No runs yet: add the folders of saved runs to compare them."));
    else status_->setText(tr("Runs open: %1").arg(runs_.size()));
}

}  // namespace distillery::ui
