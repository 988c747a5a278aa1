#pragma once
// The student learning rate the run learns, over the iterations, with the hyperparameter changes.
#include <QVector>
#include <QWidget>

#include "widgets/plot_style.h"
#include "widgets/repaint_coalescer.h"
#include "widgets/run_snapshot.h"

namespace distillery::ui {

class LrPlotView : public QWidget {
    Q_OBJECT
public:
    explicit LrPlotView(QWidget* parent = nullptr);

    // Steps in the order of their iterations, as the run sends them.
    void addSteps(const QVector<StepPoint>& steps);
    // All the run's changes so far (replaces the marks shown).
    void setChanges(const QVector<ChangeMark>& changes);
    // Forgets everything (a new run) and fits the axes to the data again.
    void clear();

    int stepCount() const { return step_count_; }  // received
    int shownCount() const;                         // lr points drawn at the last redraw
    int changeMarkCount() const { return changes_.size(); }
    QCustomPlot* plot() const { return plot_; }
    RepaintCoalescer* coalescer() const { return coalescer_; }
    void refreshNow() { coalescer_->flush(); }

private:
    void redraw();

    WorkbenchPlot* plot_ = nullptr;
    RepaintCoalescer* coalescer_ = nullptr;
    QCPGraph* lr_ = nullptr;
    QVector<StepPoint> unplotted_steps_;
    int step_count_ = 0;
    QVector<ChangeMark> changes_;
    ChangeMarkItems change_items_;
};

}  // namespace distillery::ui
