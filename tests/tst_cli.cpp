// distillery-cli as a user runs it: help, presets, a tiny expert generation with metrics, an
// interrupted one resumed, and clear messages for bad input.
#include "common/torch_pch.h"

#include <QtTest>

#include <QProcess>
#include <QRegularExpression>

#include "expert/trajectory.h"

using namespace distillery;

namespace {

struct Result {
    int code = -1;
    QString out, err;
};

Result run_cli(const QStringList& args, int timeout_ms = 300000) {
    QProcess p;
    p.start(QStringLiteral(DISTILLERY_CLI), args);
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// A tiny but real job: 20 Fashion-MNIST images per class, width 8, depth 2.
QStringList tiny(const QString& experts_dir) {
    return {"--set", "train_per_class=20", "--set", "net_width=8", "--set", "net_depth=2", "--set", "num_experts=2",
            "--set", "train_epochs=2", "--set", "num_eval=1", "--set", "epoch_eval_train=4", "--set", "ipc=2",
            "--experts", experts_dir, "--quiet"};
}

bool have_fashion() { return QFile::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"); }

}  // namespace

class TestCli : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString path(const QString& name) const { return tmp_.filePath(name); }

private Q_SLOTS:
    void helpAndPresets() {
        const auto help = run_cli({"--help"});
        QCOMPARE(help.code, 0);
        QVERIFY(help.out.contains("experts") && help.out.contains("distill") && help.out.contains("--metrics"));
        const auto list = run_cli({"presets"});
        QCOMPARE(list.code, 0);
        QVERIFY(list.out.contains(QRegularExpression("^quick +CPU-sized Fashion-MNIST", QRegularExpression::MultilineOption)));
        for (const char* name : {"paper-fashion-mnist", "mtt-cifar10-ipc10", "tesla-cifar10-ipc1", "datm-cifar100-ipc50",
                                 "fashion-mnist-ipc1-quick", "fashion-mnist-ipc50-paper"})
            QVERIFY2(list.out.contains(QRegularExpression(QString("^%1 ").arg(name), QRegularExpression::MultilineOption)), name);
        const auto quick = run_cli({"presets", "quick"});
        QVERIFY(quick.out.contains("num_experts"));
    }

    void badInputGetsClearMessages() {
        auto r = run_cli({"experts", "--bogus"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("unknown option '--bogus'"), qPrintable(r.err));
        r = run_cli({"experts", "--data", path("nowhere")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("nowhere"), qPrintable(r.err));
        r = run_cli({"eval", "--preset", "no-such"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("unknown preset 'no-such'"), qPrintable(r.err));
        r = run_cli({"eval", "--set", "lr_teacher"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("key=value"), qPrintable(r.err));
        r = run_cli({"distil"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("unknown command 'distil'"), qPrintable(r.err));
    }

    void distillTrainsExpertsDistilsAndEvaluates() {
        if (!have_fashion()) QSKIP("dataset-fashion-mnist is not installed");
        const auto out = path("run");
        const auto r = run_cli(QStringList{"distill", "--iterations", "3", "--set", "max_start_epoch=1", "--set",
                                           "syn_steps=3", "--out", out, "--metrics", path("m.json")} +
                               tiny(path("experts")));
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("experts: trained 2"));
        QVERIFY2(r.out.contains("synthetic:") && r.out.contains("random real, hard labels:"), qPrintable(r.out));
        QVERIFY(QFile::exists(out + "/synthetic.dsyn"));
        QVERIFY(QFile::exists(out + "/settings.preset"));
        QFile csv(out + "/metrics.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const auto lines = QString::fromUtf8(csv.readAll()).trimmed().split('\n');
        // header, 2 experts x 2 epochs, 3 steps, 2 evaluations (synthetic, random real)
        QCOMPARE(lines.size(), 1 + 4 + 3 + 2);
        QVERIFY(lines[0].startsWith("kind,expert,epoch,train_loss,test_accuracy"));
        QCOMPARE(lines.filter(QRegularExpression("^step,")).size(), 3);
        QVERIFY(lines.last().startsWith("eval,"));
        QFile json(path("m.json"));
        QVERIFY(json.open(QIODevice::ReadOnly));
        QVERIFY(json.readAll().contains("\"kind\": \"step\""));
        QCOMPARE(ExpertStore(path("experts").toStdString()).count(), std::int64_t(2));
        QCOMPARE(ExpertStore(path("experts").toStdString()).open(1).checkpoints(), std::int64_t(3));

        // The written set evaluates from the file; the experts are found, not retrained.
        const auto eval = run_cli(QStringList{"eval", "--synthetic", out + "/synthetic.dsyn"} + tiny(path("experts")));
        QVERIFY2(eval.code == 0, qPrintable(eval.err));
        QVERIFY2(eval.out.contains("synthetic set") && eval.out.contains("test accuracy"), qPrintable(eval.out));
        const auto baseline = run_cli(QStringList{"eval"} + tiny(path("experts")));
        QVERIFY(baseline.out.contains("random real subset (ipc 2): test accuracy"));
        const auto again = run_cli(QStringList{"experts"} + tiny(path("experts")));
        QVERIFY(again.out.contains("2 already in"));

        // A corrupt synthetic set is refused with its name.
        QFile::copy(out + "/synthetic.dsyn", path("cut.dsyn"));
        QFile cut(path("cut.dsyn"));
        QVERIFY(cut.resize(cut.size() - 7));
        const auto bad = run_cli(QStringList{"eval", "--synthetic", path("cut.dsyn")} + tiny(path("experts")));
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains("cut.dsyn") && bad.err.contains("truncated"), qPrintable(bad.err));
    }

    void interruptKeepsFinishedExperts() {
        if (!have_fashion()) QSKIP("dataset-fashion-mnist is not installed");
        QProcess p;
        p.start(QStringLiteral(DISTILLERY_CLI), QStringList{"experts", "--set", "num_experts=50"} + tiny(path("cut")));
        QVERIFY(p.waitForStarted());
        // Wait for the first expert file, then ask the run to stop as Ctrl-C would.
        const auto first = path("cut/expert_0000.dtraj");
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(first), 120000);
        p.terminate();
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(QString::fromUtf8(p.readAllStandardOutput()).contains("run the same command again to continue"));
        const auto kept = ExpertStore(path("cut").toStdString()).count();
        QVERIFY(kept >= 1 && kept < 50);
        QVERIFY(QDir(path("cut")).entryList({"*.tmp"}, QDir::Files).isEmpty());
        // Every kept file is complete and readable.
        for (std::int64_t i = 0; i < kept; ++i) TrajectoryFile::open(ExpertStore(path("cut").toStdString()).path_of(i));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
