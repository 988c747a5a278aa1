#pragma once
// Running distillery-cli from a suite as a user would: a separate process, its exit status, what
// it printed.
#include <QProcess>
#include <QString>
#include <QStringList>

namespace distillery::test {

struct CliResult {
    int code = -1;  // -1: it crashed or was killed
    QString out, err;
};

inline CliResult run_cli(const QStringList& args, int timeout_ms = 300000) {
    QProcess p;
    p.start(QStringLiteral(DISTILLERY_CLI), args);
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// A distillation small enough to run in a second or two: one 3-epoch expert, IPC 2, 2 student
// steps, an lr_lr that moves the learned lr without ever driving it negative. One thread: the
// tensors are tiny, and a second one only spins against whatever else the machine runs.
inline QStringList tiny_distill(const QString& experts_dir, int iterations) {
    return {"distill", "--iterations", QString::number(iterations), "--set", "train_per_class=20", "--set",
            "net_width=8", "--set", "net_depth=2", "--set", "num_experts=1", "--set", "train_epochs=3", "--set",
            "num_eval=1", "--set", "epoch_eval_train=2", "--set", "ipc=2", "--set", "syn_steps=2", "--set",
            "expert_epochs=1", "--set", "max_start_epoch=2", "--set", "batch_syn=10", "--set", "lr_lr=1e-7",
            "--experts", experts_dir, "--threads", "1", "--quiet"};
}

}  // namespace distillery::test
