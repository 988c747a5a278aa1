#pragma once
// Reading saved runs for the comparison window: a run folder written by `distillery-cli distill
// --out DIR` or by the workbench (metrics.csv, synthetic.dsyn, settings.preset, checkpoint.dckpt)
// becomes one plain record. The LibTorch part (the .dsyn's tensors, the data's transform) stays in
// run_loader.cpp, so the window that includes this header cannot touch a tensor.
#include <QCoreApplication>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>

#include "widgets/run_snapshot.h"

namespace distillery::ui {

// One saved run as the comparison shows it: its curves from metrics.csv and its images from
// synthetic.dsyn in pixels. What could not be read is in `problems`, each naming its file; the
// rest of the run is still there.
struct RunCurves {
    QString name;                    // the folder's name, as the legend and the choosers show it
    QString folder;                  // the folder's absolute path
    QVector<StepPoint> steps;        // metrics.csv's `kind=step` rows, in the file's order
    // The step a guard stopped (a non-finite loss, a runaway lr, out of memory), from metrics.csv:
    // the run rolled it back, so it is not among `steps`. -1 and "" when none did.
    qint64 guard_iteration = -1;
    QString guard;
    QVector<EvalPoint> evaluations;  // its `kind=eval` rows of the synthetic set
    SyntheticImages images;          // empty when synthetic.dsyn is missing or could not be read
    QStringList problems;
    // What only a checkpoint holds (loadCheckpoint): the hyperparameter changes, the iterations
    // done and planned, and the values the hyperparameter panel shows. Empty or 0 otherwise.
    QVector<ChangeMark> changes;
    qint64 iteration = 0, iterations = 0;
    QMap<QString, QString> hyperparameters;

    // False for a folder that gave nothing to show (not a run, or nothing in it could be read).
    bool hasData() const { return !steps.isEmpty() || !evaluations.isEmpty() || !images.isEmpty(); }
};

// Reads run folders, one at a time and on one thread at a time (a worker thread: it reads files
// and prepares data). Showing a run's images needs its data's transform (normalisation, or ZCA
// fitted on the training data), which means reading the data set; the loader keeps every
// transform it has built, so runs on the same data share one.
class RunLoader {
    Q_DECLARE_TR_FUNCTIONS(RunLoader)

public:
    RunLoader();
    ~RunLoader();
    RunLoader(const RunLoader&) = delete;
    RunLoader& operator=(const RunLoader&) = delete;

    // The folders `path` stands for: a run folder, or the folder of a file in one (its checkpoint);
    // a folder that is no run but holds run folders (the workbench's runs folder, a sweep's --out
    // parent) stands for those, in name order. Anything else is returned as it is, for load() to
    // say what it is not.
    static QStringList runFolders(const QString& path);
    // A folder that holds any of metrics.csv, synthetic.dsyn or checkpoint.dckpt.
    static bool isRunFolder(const QString& folder);

    // A run folder, or a file in one (its checkpoint) standing for it. Never throws: what went
    // wrong is in the record's problems.
    RunCurves load(const QString& folder_or_checkpoint);
    // The parts of load(), for a reader that reads a folder's files one by one as they change.
    // metrics.csv's steps and evaluations into `run` (replacing its own); false, with a problem
    // naming the file and no steps or evaluations, when the file cannot be read or is not valid.
    bool readMetrics(const QString& metrics_file, RunCurves& run);
    // The images of the synthetic.dsyn in `folder` into run.images, mapped to pixels with the
    // transform of the folder's settings; false, with a problem naming the file, when they cannot be.
    bool readSynthetic(const QString& folder, RunCurves& run);
    // A run's checkpoint (.dckpt) alone: its steps, changes and configuration, and its synthetic
    // set as it was at that iteration (images and labels). Never throws: what went wrong is in the
    // record's problems.
    RunCurves loadCheckpoint(const QString& checkpoint);

private:
    struct Transforms;  // the data transforms built so far (LibTorch), keyed by the data settings
    std::unique_ptr<Transforms> transforms_;
};

}  // namespace distillery::ui

Q_DECLARE_METATYPE(distillery::ui::RunCurves)
