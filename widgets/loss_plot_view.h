#pragma once
// The matching loss over the iterations: every step's loss, a smoothed trend, the steps whose
// update was skipped, the hyperparameter changes, and the evaluations' test accuracy (right axis).
#include <QMap>
#include <QVector>

#include "widgets/iteration_plot_view.h"

namespace distillery::ui {

class LossPlotView : public IterationPlotView {
    Q_OBJECT
public:
    explicit LossPlotView(QWidget* parent = nullptr);

    void addEvaluation(const EvalPoint& e);

    int shownCount() const;  // loss points drawn at the last redraw
    int evaluationCount() const { return evaluations_.size(); }

private:
    struct EvalSeries {
        QCPGraph* graph = nullptr;
        QCPErrorBars* error_bars = nullptr;
    };
    EvalSeries& evalSeries(const QString& what);
    void draw(const QVector<StepPoint>& new_steps) override;
    void forget() override;

    QCPGraph* raw_ = nullptr;
    QCPGraph* smoothed_ = nullptr;
    QCPGraph* skipped_ = nullptr;
    QMap<QString, EvalSeries> eval_series_;  // by EvalPoint::what

    double ema_ = 0, ema_weight_ = 0;
    QVector<EvalPoint> evaluations_;
};

}  // namespace distillery::ui
