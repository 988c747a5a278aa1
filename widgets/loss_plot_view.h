#pragma once
// The matching loss over the iterations: every step's loss, a smoothed trend, the steps whose
// update was skipped, the hyperparameter changes, and the evaluations' test accuracy (right axis).
#include <QMap>
#include <QVector>
#include <QWidget>

#include "widgets/plot_style.h"
#include "widgets/repaint_coalescer.h"
#include "widgets/run_snapshot.h"

namespace distillery::ui {

class LossPlotView : public QWidget {
    Q_OBJECT
public:
    explicit LossPlotView(QWidget* parent = nullptr);

    // Steps in the order of their iterations, as the run sends them.
    void addSteps(const QVector<StepPoint>& steps);
    void addEvaluation(const EvalPoint& e);
    // All the run's changes so far (replaces the marks shown).
    void setChanges(const QVector<ChangeMark>& changes);
    // Forgets everything (a new run) and fits the axes to the data again.
    void clear();

    int stepCount() const { return step_count_; }  // received
    int shownCount() const;                         // loss points drawn at the last redraw
    int evaluationCount() const { return evaluations_.size(); }
    int changeMarkCount() const { return changes_.size(); }
    QCustomPlot* plot() const { return plot_; }
    RepaintCoalescer* coalescer() const { return coalescer_; }
    void refreshNow() { coalescer_->flush(); }

private:
    struct EvalSeries {
        QCPGraph* graph = nullptr;
        QCPErrorBars* error_bars = nullptr;
    };
    EvalSeries& evalSeries(const QString& what);
    void redraw();

    WorkbenchPlot* plot_ = nullptr;
    RepaintCoalescer* coalescer_ = nullptr;
    QCPGraph* raw_ = nullptr;
    QCPGraph* smoothed_ = nullptr;
    QCPGraph* skipped_ = nullptr;
    QMap<QString, EvalSeries> eval_series_;  // by EvalPoint::what

    QVector<StepPoint> unplotted_steps_;
    int step_count_ = 0;
    double ema_ = 0, ema_weight_ = 0;
    QVector<EvalPoint> evaluations_;
    QVector<ChangeMark> changes_;
    ChangeMarkItems change_items_;
};

}  // namespace distillery::ui
