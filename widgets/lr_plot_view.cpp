#include "widgets/lr_plot_view.h"

namespace distillery::ui {

LrPlotView::LrPlotView(QWidget* parent) : IterationPlotView(tr("Iteration"), tr("Learned student learning rate"), parent) {
    lr_ = workbenchPlot()->addGraph();
    lr_->setPen(QPen(QColor(148, 103, 189), 2));
}

void LrPlotView::forget() { lr_->data()->clear(); }

int LrPlotView::shownCount() const { return lr_->dataCount(); }

void LrPlotView::draw(const QVector<StepPoint>& new_steps) {
    for (const StepPoint& step : new_steps)
        if (qIsFinite(step.lr)) lr_->addData(static_cast<double>(step.iteration), step.lr);
    WorkbenchPlot::showLonePoint(lr_);
}

}  // namespace distillery::ui
