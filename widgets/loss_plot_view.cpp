#include "widgets/loss_plot_view.h"

#include <algorithm>
#include <iterator>

namespace distillery::ui {

namespace {

// An exponential moving average, not a centred window: it depends on past steps only, so each
// new step appends one smoothed point and the points already drawn never move. 0.1 follows a
// trend over roughly the last 10-20 steps.
constexpr double kSmoothingWeight = 0.1;

const QColor kRawLossColor(150, 150, 150, 150);
const QColor kSmoothedLossColor(40, 40, 40);
const QColor kSkippedColor(148, 103, 189);
const QColor kAccuracyColors[] = {{44, 160, 44}, {140, 86, 75}, {227, 119, 194}, {23, 190, 207}};

}  // namespace

LossPlotView::LossPlotView(QWidget* parent) : IterationPlotView(tr("Iteration"), tr("Matching loss"), parent) {
    WorkbenchPlot* plot = workbenchPlot();
    plot->yAxis2->setLabel(tr("Test accuracy (%)"));

    raw_ = plot->addGraph();
    raw_->setName(tr("loss"));
    raw_->setPen(QPen(kRawLossColor, 1));

    smoothed_ = plot->addGraph();
    smoothed_->setName(tr("loss, smoothed"));
    smoothed_->setPen(QPen(kSmoothedLossColor, 2));

    skipped_ = plot->addGraph();
    skipped_->setName(tr("update skipped"));
    skipped_->setLineStyle(QCPGraph::lsNone);
    skipped_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCross, QPen(kSkippedColor, 2), Qt::NoBrush, 8));
}

void LossPlotView::addEvaluation(const EvalPoint& e) {
    evaluations_.append(e);
    coalescer()->markDirty();
}

void LossPlotView::forget() {
    ema_ = ema_weight_ = 0;
    evaluations_.clear();
    for (QCPGraph* graph : {raw_, smoothed_, skipped_}) graph->data()->clear();
}

LossPlotView::EvalSeries& LossPlotView::evalSeries(const QString& what) {
    auto it = eval_series_.find(what);
    if (it != eval_series_.end()) return *it;
    const QColor color = kAccuracyColors[eval_series_.size() % std::size(kAccuracyColors)];
    EvalSeries series;
    QCustomPlot* plot = workbenchPlot();
    series.graph = plot->addGraph(plot->xAxis, plot->yAxis2);
    series.graph->setName(what.isEmpty() ? tr("test accuracy") : tr("test accuracy (%1)").arg(what));
    series.graph->setPen(QPen(color, 1.5));
    series.graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, 6));
    series.error_bars = new QCPErrorBars(plot->xAxis, plot->yAxis2);
    series.error_bars->setDataPlottable(series.graph);
    series.error_bars->setPen(QPen(color, 1));
    series.error_bars->setWhiskerWidth(6);
    return *eval_series_.insert(what, series);
}

int LossPlotView::shownCount() const { return raw_->dataCount(); }

void LossPlotView::draw(const QVector<StepPoint>& new_steps) {
    for (const StepPoint& step : new_steps) {
        const double x = static_cast<double>(step.iteration);
        // A non-finite loss has no height to draw; a skip it caused is marked on the trend.
        if (qIsFinite(step.loss)) {
            raw_->addData(x, step.loss);
            // Normalised by the weights so far, so the first steps are not pulled towards zero.
            ema_ = (1 - kSmoothingWeight) * ema_ + kSmoothingWeight * step.loss;
            ema_weight_ = (1 - kSmoothingWeight) * ema_weight_ + kSmoothingWeight;
            smoothed_->addData(x, ema_ / ema_weight_);
        }
        if (!step.updated && ema_weight_ > 0) skipped_->addData(x, qIsFinite(step.loss) ? step.loss : ema_ / ema_weight_);
    }
    WorkbenchPlot::showLonePoint(smoothed_);

    // Few evaluations: rebuilt whole, so the error bars stay paired with their points.
    QVector<EvalPoint> evaluations = evaluations_;
    std::stable_sort(evaluations.begin(), evaluations.end(),
                     [](const EvalPoint& a, const EvalPoint& b) { return a.iteration < b.iteration; });
    for (EvalSeries& series : eval_series_) {
        series.graph->data()->clear();
        series.error_bars->data()->clear();
    }
    for (const EvalPoint& e : std::as_const(evaluations)) {
        EvalSeries& series = evalSeries(e.what);
        series.graph->addData(static_cast<double>(e.iteration), 100 * e.mean);
        series.error_bars->addData(100 * e.std);
    }
    workbenchPlot()->yAxis2->setVisible(!evaluations_.isEmpty());
    workbenchPlot()->updateLegend();
}

}  // namespace distillery::ui
