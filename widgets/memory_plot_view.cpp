#include "widgets/memory_plot_view.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include <algorithm>
#include <iterator>

namespace distillery::ui {

namespace {

constexpr double kBytesPerMiB = 1024.0 * 1024.0;
constexpr int kMaxSweepValues = 12;
constexpr int kMaxSweepSteps = 10000;
const char* const kModes[] = {"unrolled", "tesla", "exact"};

template <typename ByMode>
int countPoints(const ByMode& by_mode) {
    int count = 0;
    for (const auto& by_steps : by_mode) count += by_steps.size();
    return count;
}

}  // namespace

MemoryPlotView::MemoryPlotView(QWidget* parent) : QWidget(parent) {
    note_ = new QLabel;
    note_->setWordWrap(true);
    note_->setStyleSheet(QStringLiteral(
        "QLabel { background: #fff4d6; color: #5c4300; border: 1px solid #eed38a; border-radius: 3px; padding: 3px 6px; }"));

    plot_ = new WorkbenchPlot;
    plot_->setZeroBased(true);
    plot_->setMouseTracking(true);
    plot_->xAxis->setLabel(tr("Student steps N"));
    plot_->yAxis->setLabel(tr("Peak memory (MiB)"));
    // Created in this order, the legend lists the run's markers first, then the sweep's lines.
    for (const char* mode : kModes) graphFor(mode, false);
    for (const char* mode : kModes) graphFor(mode, true);
    connect(plot_, &QCustomPlot::mouseMove, this, &MemoryPlotView::showPointTip);

    steps_edit_ = new QLineEdit(QStringLiteral("10,20,40,80"));
    steps_edit_->setToolTip(tr("The numbers of student steps N to measure, comma-separated: at most %1 values, "
                               "each at most %2")
                                .arg(kMaxSweepValues)
                                .arg(kMaxSweepSteps));
    const QStringList mode_tips = {tr("Backpropagation through all N unrolled student steps (MTT): memory grows with N"),
                                   tr("TESLA's gradient, accumulated step by step: constant memory"),
                                   tr("Distillery's exact gradient in constant memory")};
    auto* modes = new QHBoxLayout;
    for (int i = 0; i < static_cast<int>(std::size(kModes)); ++i) {
        auto* box = new QCheckBox(kModes[i]);
        box->setObjectName(kModes[i]);
        box->setChecked(true);
        box->setToolTip(mode_tips[i]);
        modes->addWidget(box);
        mode_boxes_ << box;
    }
    modes->addStretch(1);
    sweep_button_ = new QPushButton(tr("Run sweep"));
    sweep_button_->setToolTip(tr("Measure the peak memory of one gradient at each N in each checked mode"));
    // Wide enough for the progress, so the controls do not jump while a sweep runs.
    sweep_button_->setMinimumWidth(sweep_button_->fontMetrics().horizontalAdvance(tr("Sweeping… %1 of %2").arg(36).arg(36)) + 24);

    // Two rows, so that a narrow dock still leaves the list of N room to be read.
    auto* controls = new QGridLayout;
    controls->setContentsMargins(6, 0, 6, 0);
    controls->setVerticalSpacing(2);
    auto* steps_label = new QLabel(tr("&N:"));
    steps_label->setBuddy(steps_edit_);
    controls->addWidget(steps_label, 0, 0);
    controls->addWidget(steps_edit_, 0, 1);
    controls->addWidget(sweep_button_, 0, 2);
    controls->addWidget(new QLabel(tr("Modes:")), 1, 0);
    controls->addLayout(modes, 1, 1, 1, 2);
    controls->setColumnStretch(1, 1);

    message_ = new QLabel;
    message_->setWordWrap(true);
    message_->setContentsMargins(6, 0, 6, 0);
    QPalette message_palette = message_->palette();
    message_palette.setColor(QPalette::WindowText, QColor(176, 0, 32));
    message_->setPalette(message_palette);

    auto* content = new QWidget;
    auto* content_layout = new QVBoxLayout(content);
    content_layout->setContentsMargins(0, 0, 0, 4);
    content_layout->setSpacing(4);
    content_layout->addWidget(note_);
    content_layout->addWidget(plot_, 1);
    content_layout->addLayout(controls);
    content_layout->addWidget(message_);
    note_->setVisible(false);
    // In a short dock the plot keeps a readable height and the view scrolls, rather than its axis
    // labels being squeezed under the controls. So the note appearing with the first run changes
    // only the content's size, never the window's layout.
    auto* scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll);

    connect(sweep_button_, &QPushButton::clicked, this, &MemoryPlotView::requestSweep);
    connect(steps_edit_, &QLineEdit::returnPressed, this, [this] {
        if (sweep_button_->isEnabled()) requestSweep();
    });
    coalescer_ = new RepaintCoalescer(this, [this] { redraw(); });
}


void MemoryPlotView::addSteps(const QVector<StepPoint>& steps) {
    bool measured = false;
    for (const StepPoint& step : steps) {
        if (step.peak_bytes < 0) continue;
        RunPeak& peak = run_peaks_[step.mode][step.syn_steps];
        peak.peak_bytes = qMax(peak.peak_bytes, step.peak_bytes);
        ++peak.steps;
        measured = true;
    }
    if (measured) coalescer_->markDirty();
}

void MemoryPlotView::addSweepPoints(const QVector<MemoryPoint>& points) {
    bool measured = false;
    for (const MemoryPoint& point : points) {
        if (point.peak_bytes < 0) continue;
        sweep_points_[point.mode][point.syn_steps] = point;
        measured = true;
    }
    if (measured) coalescer_->markDirty();
}

void MemoryPlotView::clearSweep() {
    sweep_points_.clear();
    coalescer_->markDirty();
}

void MemoryPlotView::setMemoryKind(const QString& kind) {
    // Which memory it is goes into the note above the plot, which wraps: on the axis of a docked
    // plot on a laptop, a longer label was cut off.
    QString note;
    if (kind == QLatin1String("cuda-allocator"))
        note = tr("GPU build: the peak of LibTorch's CUDA caching allocator.");
    else if (kind == QLatin1String("cpu-tensor-bytes"))  // MemoryProbe::kind() on a CPU build
        note = tr("CPU build: this is CPU tensor memory counted by Distillery's allocator, not GPU memory.");
    else if (!kind.isEmpty())
        note = tr("Memory is not measured in this build, so this plot stays empty.");
    note_->setText(note);
    note_->setVisible(!note.isEmpty());
    coalescer_->markDirty();
}

QString MemoryPlotView::noteText() const { return note_->isVisibleTo(this) ? note_->text() : QString(); }

void MemoryPlotView::setSweepRunning(bool running) {
    sweep_button_->setEnabled(!running);
    sweep_button_->setText(running ? tr("Sweeping…") : tr("Run sweep"));
    steps_edit_->setEnabled(!running);
    for (QCheckBox* box : std::as_const(mode_boxes_)) box->setEnabled(!running);
    if (running) message_->clear();
}

void MemoryPlotView::setSweepProgress(int done, int total) {
    sweep_button_->setText(tr("Sweeping… %1 of %2").arg(done).arg(total));
}

void MemoryPlotView::setModeChecked(const QString& mode, bool on) {
    for (QCheckBox* box : std::as_const(mode_boxes_))
        if (box->objectName() == mode) box->setChecked(on);
}

int MemoryPlotView::runPointCount() const { return countPoints(run_peaks_); }

int MemoryPlotView::sweepPointCount() const { return countPoints(sweep_points_); }

void MemoryPlotView::requestSweep() {
    QString problem;
    QVector<int> steps;
    const QString text = steps_edit_->text().trimmed();
    if (text.isEmpty()) {
        problem = tr("Enter the numbers of student steps N to measure, e.g. 10,20,40,80.");
    } else {
        for (const QString& entry : text.split(',')) {
            const QString item = entry.trimmed();
            bool ok = false;
            const int n = item.toInt(&ok);
            if (item.isEmpty())
                problem = tr("The list of N has an empty entry: remove the extra comma.");
            else if (!ok || n <= 0)
                problem = tr("“%1” is not a positive whole number of steps.").arg(item);
            else if (n > kMaxSweepSteps)
                problem = tr("N = %1 is too large: at most %2 steps.").arg(n).arg(kMaxSweepSteps);
            if (!problem.isEmpty()) break;
            steps << n;
        }
    }
    std::sort(steps.begin(), steps.end());
    steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
    if (problem.isEmpty() && steps.size() > kMaxSweepValues)
        problem = tr("At most %1 values of N, not %2.").arg(kMaxSweepValues).arg(steps.size());

    QStringList modes;
    for (const QCheckBox* box : std::as_const(mode_boxes_))
        if (box->isChecked()) modes << box->objectName();
    if (problem.isEmpty() && modes.isEmpty()) problem = tr("Check at least one gradient mode.");

    message_->setText(problem);
    if (problem.isEmpty()) Q_EMIT sweepRequested(modes, steps);
}

QCPGraph* MemoryPlotView::graphFor(const QString& mode, bool sweep) {
    QMap<QString, QCPGraph*>& graphs = sweep ? sweep_graphs_ : run_graphs_;
    if (QCPGraph* graph = graphs.value(mode)) return graph;
    const QColor color = modeColor(mode);
    QCPGraph* graph = plot_->addGraph();
    graph->setPen(QPen(color, 2));
    if (sweep) {
        graph->setName(tr("%1 (sweep)").arg(mode));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, 6));
    } else {
        // A ring around where a sweep's dot would be, so both stay visible at the same N.
        graph->setName(tr("%1 (run)").arg(mode));
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(color, 2), Qt::NoBrush, 12));
    }
    graphs.insert(mode, graph);
    return graph;
}

int MemoryPlotView::shownCount() const {
    int points = 0;
    for (const QCPGraph* graph : run_graphs_) points += graph->dataCount();
    for (const QCPGraph* graph : sweep_graphs_) points += graph->dataCount();
    return points;
}

void MemoryPlotView::redraw() {
    for (const QString& mode : run_peaks_.keys()) graphFor(mode, false);
    for (const QString& mode : sweep_points_.keys()) graphFor(mode, true);
    const auto plotPeaks = [](QCPGraph* graph, const auto& by_steps) {
        QVector<double> steps, mib;
        for (auto it = by_steps.cbegin(); it != by_steps.cend(); ++it) {
            steps << static_cast<double>(it.key());
            mib << it->peak_bytes / kBytesPerMiB;
        }
        graph->setData(steps, mib, true);
    };
    for (auto it = run_graphs_.cbegin(); it != run_graphs_.cend(); ++it) plotPeaks(it.value(), run_peaks_.value(it.key()));
    for (auto it = sweep_graphs_.cbegin(); it != sweep_graphs_.cend(); ++it) plotPeaks(it.value(), sweep_points_.value(it.key()));
    plot_->updateLegend();
    plot_->fitIfFollowing();
    plot_->replot();
}

// The point under the mouse explains itself in the tooltip; elsewhere the tooltip says how to use the plot.
void MemoryPlotView::showPointTip(QMouseEvent* event) {
    constexpr double kReachPixels = 8;
    double nearest = kReachPixels * kReachPixels;
    QString tip = WorkbenchPlot::interactionHint();
    const auto consider = [&](qint64 steps, qint64 bytes, const QString& text) {
        const QPointF offset = QPointF(plot_->xAxis->coordToPixel(static_cast<double>(steps)),
                                       plot_->yAxis->coordToPixel(bytes / kBytesPerMiB)) - event->position();
        const double distance = QPointF::dotProduct(offset, offset);
        if (distance > nearest) return;
        nearest = distance;
        tip = text;
    };
    for (auto mode = run_peaks_.cbegin(); mode != run_peaks_.cend(); ++mode)
        for (auto it = mode->cbegin(); it != mode->cend(); ++it)
            consider(it.key(), it->peak_bytes,
                     tr("%1, N = %2: %3 MiB, the largest of %n measured step(s) of the run", nullptr, it->steps)
                         .arg(mode.key())
                         .arg(it.key())
                         .arg(it->peak_bytes / kBytesPerMiB, 0, 'f', 1));
    for (auto mode = sweep_points_.cbegin(); mode != sweep_points_.cend(); ++mode)
        for (auto it = mode->cbegin(); it != mode->cend(); ++it)
            consider(it.key(), it->peak_bytes,
                     tr("%1, N = %2: %3 MiB in the sweep, %4 s per gradient")
                         .arg(mode.key())
                         .arg(it.key())
                         .arg(it->peak_bytes / kBytesPerMiB, 0, 'f', 1)
                         .arg(it->seconds, 0, 'f', 2));
    plot_->setToolTip(tip);
}

}  // namespace distillery::ui
