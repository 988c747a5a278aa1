#include "widgets/iteration_plot_view.h"

#include <QVBoxLayout>

namespace distillery::ui {

IterationPlotView::IterationPlotView(const QString& x_label, const QString& y_label, QWidget* parent) : QWidget(parent) {
    plot_ = new WorkbenchPlot(this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    plot_->xAxis->setLabel(x_label);
    plot_->setWholeNumberKeys();
    plot_->yAxis->setLabel(y_label);
    // redraw() calls the view's draw(): the timer fires only after the view is constructed.
    coalescer_ = new RepaintCoalescer(this, [this] { redraw(); });
}

void IterationPlotView::addSteps(const QVector<StepPoint>& steps) {
    if (steps.isEmpty()) return;
    unplotted_steps_ += steps;
    step_count_ += steps.size();
    coalescer_->markDirty();
}

void IterationPlotView::setChanges(const QVector<ChangeMark>& changes) {
    changes_ = changes;
    coalescer_->markDirty();
}

void IterationPlotView::clear() {
    unplotted_steps_.clear();
    step_count_ = 0;
    changes_.clear();
    forget();
    plot_->followData();
    coalescer_->markDirty();
}

void IterationPlotView::redraw() {
    draw(unplotted_steps_);
    unplotted_steps_.clear();
    plot_->fitIfFollowing();
    change_items_.show(plot_, changes_);
    plot_->replot();
}

}  // namespace distillery::ui
