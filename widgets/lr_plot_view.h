#pragma once
// The student learning rate the run learns, over the iterations, with the hyperparameter changes.
#include <QVector>

#include "widgets/iteration_plot_view.h"

namespace distillery::ui {

class LrPlotView : public IterationPlotView {
    Q_OBJECT
public:
    explicit LrPlotView(QWidget* parent = nullptr);

    int shownCount() const;  // lr points drawn at the last redraw

private:
    void draw(const QVector<StepPoint>& new_steps) override;
    void forget() override;

    QCPGraph* lr_ = nullptr;
};

}  // namespace distillery::ui
