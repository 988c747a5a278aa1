#include "widgets/lr_plot_view.h"

#include <QVBoxLayout>

namespace distillery::ui {

LrPlotView::LrPlotView(QWidget* parent) : QWidget(parent) {
    plot_ = new WorkbenchPlot(this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);

    plot_->xAxis->setLabel(tr("Iteration"));
    plot_->setWholeNumberKeys();
    plot_->yAxis->setLabel(tr("Learned student learning rate"));
    lr_ = plot_->addGraph();
    lr_->setPen(QPen(QColor(148, 103, 189), 2));

    coalescer_ = new RepaintCoalescer(this, [this] { redraw(); });
}

void LrPlotView::addSteps(const QVector<StepPoint>& steps) {
    if (steps.isEmpty()) return;
    unplotted_steps_ += steps;
    step_count_ += steps.size();
    coalescer_->markDirty();
}

void LrPlotView::setChanges(const QVector<ChangeMark>& changes) {
    changes_ = changes;
    coalescer_->markDirty();
}

void LrPlotView::clear() {
    unplotted_steps_.clear();
    step_count_ = 0;
    changes_.clear();
    lr_->data()->clear();
    plot_->followData();
    coalescer_->markDirty();
}

int LrPlotView::shownCount() const { return lr_->dataCount(); }

void LrPlotView::redraw() {
    for (const StepPoint& step : std::as_const(unplotted_steps_))
        if (qIsFinite(step.lr)) lr_->addData(static_cast<double>(step.iteration), step.lr);
    unplotted_steps_.clear();
    plot_->fitIfFollowing();
    change_items_.show(plot_, changes_);
    plot_->replot();
}

}  // namespace distillery::ui
