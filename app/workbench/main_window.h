#pragma once
// The workbench window: the setup (data, method, gradient mode, IPC, preset, experts), the run's
// controls, and one dock per live view. It only talks to the engine through RunWorker.
#include <QElapsedTimer>
#include <QMainWindow>
#include <QStringList>
#include <QVector>
#include <optional>

#include "widgets/run_snapshot.h"
#include "workbench/run_worker.h"

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QSpinBox;

namespace distillery::ui {

class HyperparameterPanel;
class ImageGridView;
class LossPlotView;
class LrPlotView;
class MemoryPlotView;
class RunFollower;
class SoftLabelView;
struct FollowUpdate;

// How the window starts: from the command line, else from the remembered settings.
struct StartOptions {
    QString preset;         // empty: the last one used, else "quick"
    QString dataset;        // empty: the preset's (Fashion-MNIST for the default)
    QStringList overrides;  // key=value over the preset
    QString experts_dir;
    QString runs_dir;       // where run checkpoints go; empty: the application's data folder
    bool remember = true;   // read and write QSettings (tests turn this off)
};

// "45 s left", "12 min left", "2 h 5 min left": a duration, as the status bar and the progress say it.
QString timeLeft(double seconds);

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const StartOptions& options, QWidget* parent = nullptr);
    ~MainWindow() override;

    RunWorker* worker() const { return worker_; }
    RunSetup currentSetup() const;
    const SyntheticImages& latestImages() const { return images_; }

    HyperparameterPanel* hyperparameterPanel() const { return panel_; }
    ImageGridView* imageView() const { return grid_; }
    LossPlotView* lossView() const { return loss_; }
    LrPlotView* lrView() const { return lr_; }
    MemoryPlotView* memoryView() const { return memory_; }
    SoftLabelView* softLabelView() const { return soft_; }
    QAction* action(const QString& name) const;  // "start", "pause", "step", "stop", ...
    QString statusText() const;                  // the status bar's run line
    WorkerState shownState() const { return state_; }  // the worker's state as the window last heard it
    QStringList log() const { return log_lines_; }

    // What the export actions do after their dialogs; "" or what went wrong.
    QString exportGrid(const QString& path, int scale);
    QString exportClassFolders(const QString& dir, int scale);
    // Every view and the window as PNGs into `dir` (for the docs and the screenshot script).
    QStringList saveScreenshots(const QString& dir);
    // Opens a saved run (.dckpt) paused where it was saved; Resume continues it.
    void openRun(const QString& checkpoint);
    // Shows the run that writes `folder` elsewhere (distillery-cli, a distributed job, another
    // workbench) as its files arrive, read-only: the run's controls are off until stopFollowing(),
    // or until another run is opened or followed.
    void followRun(const QString& folder);
    void stopFollowing();
    bool isFollowing() const { return follower_ != nullptr; }

public Q_SLOTS:
    void applySetup();  // the setup controls changed: prepare the data and look for experts

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildViews();
    void buildSetupDock();
    void buildActions();
    void connectWorker();
    void restoreSettings(const StartOptions& options);
    void saveSettings();
    void fillScreen();
    void onState(int state, const QString& text);
    void onSteps(const QVector<StepPoint>& steps, const QVector<ChangeMark>& changes, qint64 total);
    void onFollowUpdate(const FollowUpdate& update);
    void onFollowActivity();
    QString followStateText() const;
    void showImages(const SyntheticImages& images);
    void appendLog(const QString& line);
    void logStateChange(WorkerState before, WorkerState now);
    QString exportFolder() const;  // where export dialogs open
    int exportScale(int fallback) const;
    void rememberExport(const QString& dir, int scale);
    void updateStatus();
    void chooseData(const QString& kind);
    void showPresetChoices();  // method, gradient and IPC as the Preset box's choice says
    void showOpenedRun(const QString& checkpoint, const QString& settings_text, const QString& experts_dir);
    void exportGridInteractive();
    void exportFoldersInteractive();
    QDockWidget* addDock(QWidget* view, const QString& title, const QString& name, Qt::DockWidgetArea area);

    StartOptions options_;
    RunWorker* worker_ = nullptr;

    // Setup.
    QComboBox* preset_ = nullptr;
    QComboBox* data_kind_ = nullptr;
    QLineEdit* data_spec_ = nullptr;
    QComboBox* method_ = nullptr;
    QComboBox* mode_ = nullptr;
    QSpinBox* ipc_ = nullptr;
    QLabel* data_summary_ = nullptr;
    QLabel* experts_label_ = nullptr;
    QLineEdit* experts_dir_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* progress_label_ = nullptr;
    QScrollArea* setup_scroll_ = nullptr;  // the Setup dock's content, scrolled on short screens
    QStringList pre_run_edits_;  // hyperparameters accepted before the run exists
    // The Preset box's item of an opened saved run carries the run's settings text (Qt::UserRole)
    // and its experts folder (this role).
    static constexpr int kRunExpertsRole = Qt::UserRole + 1;
    // The data set and experts chosen before a saved run's item replaced them.
    struct DataChoices {
        int kind = 0;
        QString spec, experts_dir;
    };
    std::optional<DataChoices> choices_before_run_;

    // Views.
    ImageGridView* grid_ = nullptr;
    LossPlotView* loss_ = nullptr;
    LrPlotView* lr_ = nullptr;
    MemoryPlotView* memory_ = nullptr;
    SoftLabelView* soft_ = nullptr;
    HyperparameterPanel* panel_ = nullptr;
    QPlainTextEdit* log_view_ = nullptr;
    QStringList log_lines_;

    // Status bar.
    QLabel* state_label_ = nullptr;
    QLabel* run_label_ = nullptr;
    QLabel* device_label_ = nullptr;
    QLabel* checkpoint_label_ = nullptr;

    SyntheticImages images_;
    WorkerState state_ = WorkerState::Idle;
    qint64 iteration_ = 0, total_ = 0;
    QVector<double> recent_seconds_;  // wall time of the latest steps, for it/s and the ETA
    QElapsedTimer since_last_step_;
    QByteArray default_layout_;
    bool setup_ready_ = false;
    bool experts_ready_ = false;
    QString run_folder_;  // the folder of the run whose checkpoint was saved last
    RunFollower* follower_ = nullptr;  // the run followed, read-only; null when none
    QString follow_dir_;               // where the folder dialog of Follow opens
};

}  // namespace distillery::ui
