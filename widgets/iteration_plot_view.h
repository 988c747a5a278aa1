#pragma once
// What the loss and lr views share: a plot over the iterations that takes the run's steps as they
// arrive and draws them at most once per coalescer interval, with the hyperparameter changes
// marked on it. A view adds its graphs and says how new steps are drawn and what it forgets.
#include <QString>
#include <QVector>
#include <QWidget>

#include "widgets/plot_style.h"
#include "widgets/repaint_coalescer.h"
#include "widgets/run_snapshot.h"

namespace distillery::ui {

class IterationPlotView : public QWidget {
    Q_OBJECT
public:
    // Steps in the order of their iterations, as the run sends them.
    void addSteps(const QVector<StepPoint>& steps);
    // All the run's changes so far (replaces the marks shown).
    void setChanges(const QVector<ChangeMark>& changes);
    // Forgets everything (a new run) and fits the axes to the data again.
    void clear();

    int stepCount() const { return step_count_; }  // received
    int changeMarkCount() const { return changes_.size(); }
    QCustomPlot* plot() const { return plot_; }
    RepaintCoalescer* coalescer() const { return coalescer_; }
    void refreshNow() { coalescer_->flush(); }

protected:
    // The labels come from the view, so that each stays translated in the view's own context.
    IterationPlotView(const QString& x_label, const QString& y_label, QWidget* parent);
    WorkbenchPlot* workbenchPlot() const { return plot_; }

    // Adds to the graphs the steps received since the last redraw, and whatever else the view
    // draws; the axes are fitted and the change marks drawn after it.
    virtual void draw(const QVector<StepPoint>& new_steps) = 0;
    // Empties the view's own graphs and data (clear() has already dropped the steps and changes).
    virtual void forget() = 0;

private:
    void redraw();

    WorkbenchPlot* plot_ = nullptr;
    RepaintCoalescer* coalescer_ = nullptr;
    QVector<StepPoint> unplotted_steps_;
    int step_count_ = 0;
    QVector<ChangeMark> changes_;
    ChangeMarkItems change_items_;
};

}  // namespace distillery::ui
