#include "workbench/run_folder.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include "distill/run.h"
#include "distill/run_outputs.h"
#include "expert/expert_trainer.h"

namespace distillery::ui {

QString defaultRunsDir() { return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/runs"; }

QString defaultExpertsDir(const Settings& s) {
    // The CLI's default is relative to where it runs (runs/experts/<key>); a desktop launcher
    // starts in $HOME, so the workbench keeps experts beside its runs, under the same key.
    const QString key = QFileInfo(QString::fromStdString(default_experts_dir(s))).fileName();
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/experts/" + key;
}

QString newRunCheckpointPath(const QString& root, const QString& dataset) {
    const QString base = (root.isEmpty() ? defaultRunsDir() : root) + '/' + dataset + '-' +
                         QDateTime::currentDateTime().toString("yyyyMMdd-hhmmss");
    QString folder = base;
    for (int n = 2; QDir(folder).exists(); ++n) folder = base + '-' + QString::number(n);
    return folder + QStringLiteral("/checkpoint.dckpt");  // the name distillery-cli uses
}

void writeRunFiles(const DistillRun& run, const std::string& settings_text,
                   const std::vector<MetricsLog::Row>& evaluations, const QString& checkpoint) {
    const QString folder = QFileInfo(checkpoint).absolutePath();
    write_synthetic_and_settings(run, settings_text, folder.toStdString());
    MetricsLog log;
    for (const auto& r : run.history()) log.add(step_row(r));
    for (const auto& row : evaluations) log.add(row);
    log.write(QDir(folder).filePath(QString::fromLatin1(kMetricsName)).toStdString());
}

}  // namespace distillery::ui
