#pragma once
// Peak memory of one gradient computation against N, the number of student steps it matches
// through: TESLA's memory figure, live. Markers are what the run itself measured at the N it used;
// lines are a sweep the user starts from the controls under the plot.
#include <QMap>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include "widgets/plot_style.h"
#include "widgets/repaint_coalescer.h"
#include "widgets/run_snapshot.h"

class QCheckBox;
class QLabel;
class QLineEdit;
class QMouseEvent;
class QPushButton;

namespace distillery::ui {

class MemoryPlotView : public QWidget {
    Q_OBJECT
public:
    explicit MemoryPlotView(QWidget* parent = nullptr);

    // The run's steps; those with a measured peak count, the largest per (mode, N) is shown.
    void addSteps(const QVector<StepPoint>& steps);
    // A new point for a (mode, N) already swept replaces the old one.
    void addSweepPoints(const QVector<MemoryPoint>& points);
    void clearSweep();
    // What the numbers are (MemoryProbe::kind()): "cuda-allocator", "cpu-tensor-bytes", or anything else for not measured.
    void setMemoryKind(const QString& kind);
    // While running, the controls are disabled and the button shows the progress.
    void setSweepRunning(bool running);
    void setSweepProgress(int done, int total);
    void setModeChecked(const QString& mode, bool on);

    int runPointCount() const;    // distinct (mode, N) the run measured
    int shownCount() const;       // points drawn at the last redraw, run and sweep
    int sweepPointCount() const;  // distinct (mode, N) swept
    QCustomPlot* plot() const { return plot_; }
    QLineEdit* stepsEdit() const { return steps_edit_; }
    QPushButton* sweepButton() const { return sweep_button_; }
    QLabel* messageLabel() const { return message_; }
    QString noteText() const;  // what the view says about the kind of memory it shows
    RepaintCoalescer* coalescer() const { return coalescer_; }
    void refreshNow() { coalescer_->flush(); }

Q_SIGNALS:
    // The user asked for a sweep; steps are distinct and ascending.
    void sweepRequested(const QStringList& modes, const QVector<int>& steps);

private:
    struct RunPeak {
        qint64 peak_bytes = 0;
        int steps = 0;  // how many of the run's steps were measured at this (mode, N)
    };
    QCPGraph* graphFor(const QString& mode, bool sweep);
    void requestSweep();
    void redraw();
    void showPointTip(QMouseEvent* event);

    WorkbenchPlot* plot_ = nullptr;
    RepaintCoalescer* coalescer_ = nullptr;
    QLabel* note_ = nullptr;
    QLineEdit* steps_edit_ = nullptr;
    QVector<QCheckBox*> mode_boxes_;  // object name = mode
    QPushButton* sweep_button_ = nullptr;
    QLabel* message_ = nullptr;

    QMap<QString, QMap<qint64, RunPeak>> run_peaks_;       // mode -> N -> peak
    QMap<QString, QMap<qint64, MemoryPoint>> sweep_points_;  // mode -> N -> point
    QMap<QString, QCPGraph*> run_graphs_, sweep_graphs_;     // by mode
};

}  // namespace distillery::ui
