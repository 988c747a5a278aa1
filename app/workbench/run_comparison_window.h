#pragma once
// Saved runs side by side: their loss, learned-lr and test-accuracy curves overlaid (a colour per
// run, the legend by run), and the synthetic images of two chosen runs next to each other. Runs are
// read on a pool thread (RunLoader); this window only ever holds the plain records it sends back.
#include <QDialog>
#include <QFutureWatcher>
#include <QStringList>
#include <QVector>

#include <memory>

#include "workbench/run_loader.h"

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;

namespace distillery::ui {

class ImageGridView;
class WorkbenchPlot;

class RunComparisonWindow : public QDialog {
    Q_OBJECT
public:
    // `runs_dir`: where "Add runs…" starts; empty: the workbench's runs folder.
    explicit RunComparisonWindow(const QString& runs_dir, QWidget* parent = nullptr);
    ~RunComparisonWindow() override;

    // Run folders, checkpoint files, or folders of run folders; read in the background, in order.
    // A folder already open is not added again.
    void addRuns(const QStringList& folders_or_checkpoints);

    bool isLoading() const;
    int runCount() const { return static_cast<int>(runs_.size()); }
    const RunCurves& run(int index) const { return runs_.at(index); }
    QStringList runNames() const;
    // What could not be read, as the window lists it: each names its file or folder.
    QStringList problems() const;
    QString runsDir() const { return runs_dir_; }

    WorkbenchPlot* lossPlot() const { return loss_plot_; }
    WorkbenchPlot* lrPlot() const { return lr_plot_; }
    WorkbenchPlot* accuracyPlot() const { return accuracy_plot_; }
    // The two sides of the image comparison: which run each shows, and its grid.
    QComboBox* runChoice(int side) const { return sides_[side].choice; }
    ImageGridView* imageGrid(int side) const { return sides_[side].grid; }

Q_SIGNALS:
    void loadingFinished();  // every run asked for so far is read

private:
    struct Side {
        QComboBox* choice = nullptr;
        QLabel* note = nullptr;  // why the chosen run has no images
        ImageGridView* grid = nullptr;
    };

    void chooseRuns();
    void loadQueued();
    void addRun(RunCurves run);
    void plotRun(const RunCurves& run, const QColor& color);
    void showChosen(int side);
    void addProblems(const QStringList& problems);
    void updateStatus();

    QString runs_dir_;
    QString dialog_dir_;  // where the folder dialog was last left
    QVector<RunCurves> runs_;
    QStringList queued_;  // asked for while a batch was being read
    bool reading_ = false;
    // Shared with the batch being read, which may outlive the window.
    std::shared_ptr<RunLoader> loader_;
    QFutureWatcher<RunCurves>* watcher_ = nullptr;

    QPushButton* add_button_ = nullptr;
    QLabel* status_ = nullptr;
    QListWidget* problem_list_ = nullptr;
    WorkbenchPlot* loss_plot_ = nullptr;
    WorkbenchPlot* lr_plot_ = nullptr;
    WorkbenchPlot* accuracy_plot_ = nullptr;
    Side sides_[2];
};

}  // namespace distillery::ui
