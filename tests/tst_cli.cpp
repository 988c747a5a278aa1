// distillery-cli as a user runs it: help, presets, a tiny expert generation with metrics, an
// interrupted one resumed, a distillation killed (SIGKILL) mid-run or mid-checkpoint and resumed
// to the same set bit for bit, a guard that stops a run and its resume, and clear messages for
// bad input.
#include "common/torch_pch.h"

#include <QtTest>

#include <QProcess>
#include <QRegularExpression>

#include <random>

#include "distill/checkpoint.h"
#include "distill/synthetic_set.h"
#include "expert/trajectory.h"
#include "cli_support.h"
#include "test_support.h"

using namespace distillery;

namespace {

using distillery::test::run_cli;
using distillery::test::tiny_distill;

// A tiny but real job: 20 Fashion-MNIST images per class, width 8, depth 2.
QStringList tiny(const QString& experts_dir) {
    return {"--set", "train_per_class=20", "--set", "net_width=8", "--set", "net_depth=2", "--set", "num_experts=2",
            "--set", "train_epochs=2", "--set", "num_eval=1", "--set", "epoch_eval_train=4", "--set", "ipc=2",
            "--experts", experts_dir, "--quiet"};
}

// The written synthetic sets are the same, bit for bit.
bool same_synthetic_set(const QString& a, const QString& b) {
    const auto x = load_synthetic_set(a.toStdString()), y = load_synthetic_set(b.toStdString());
    return x.images.equal(y.images) && x.labels.equal(y.labels) && x.lr == y.lr;
}

// Starts the CLI with `args` and kills it (SIGKILL) once `ready` holds or `after_ms` have passed.
void kill_when(const QStringList& args, const std::function<bool()>& ready, int after_ms, int checkpoint_delay_ms) {
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("DISTILLERY_TEST_CHECKPOINT_DELAY_MS", QString::number(checkpoint_delay_ms));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(DISTILLERY_CLI), args);
    QVERIFY(p.waitForStarted());
    QElapsedTimer clock;
    clock.start();
    while (!ready() && clock.elapsed() < after_ms && p.state() == QProcess::Running) QTest::qWait(5);
    p.kill();
    p.waitForFinished();
}

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
                                 "fashion-mnist-ipc1-quick", "fashion-mnist-ipc50-paper", "cpu-hour-ipc1", "cpu-hour-ipc10",
                                 "cpu-hour-ipc50"})
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
        DISTILLERY_REQUIRE_FASHION_MNIST();
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
        // A network whose training diverges is said to, on screen and in the metrics.
        const auto diverging = run_cli(QStringList{"eval", "--arch", "mlp", "--set", "lr_teacher=100", "--metrics",
                                                   path("diverged.csv")} +
                                       tiny(path("experts")));
        QVERIFY2(diverging.code == 0, qPrintable(diverging.err));
        QVERIFY2(diverging.out.contains("(1 networks, 1 diverged)") &&
                     diverging.out.contains("1 of 1 mlp networks diverged at lr 100"),
                 qPrintable(diverging.out));
        QFile diverged_csv(path("diverged.csv"));
        QVERIFY(diverged_csv.open(QIODevice::ReadOnly));
        const auto diverged_rows = QString::fromUtf8(diverged_csv.readAll()).split('\n');
        const auto column = diverged_rows[0].split(',').indexOf("diverged");
        QVERIFY2(column >= 0 && diverged_rows[1].split(',').value(column) == "1", qPrintable(diverged_rows.join('\n')));
        // Cross-architecture: each network in turn, named on screen and in the metrics.
        const auto cross = run_cli(QStringList{"eval", "--synthetic", out + "/synthetic.dsyn", "--arch", "mlp,convnetbn",
                                               "--metrics", path("cross.csv")} +
                                   tiny(path("experts")));
        QVERIFY2(cross.code == 0, qPrintable(cross.err));
        QVERIFY2(cross.out.contains("on mlp: test accuracy") && cross.out.contains("on convnetbn: test accuracy"),
                 qPrintable(cross.out));
        QFile cross_csv(path("cross.csv"));
        QVERIFY(cross_csv.open(QIODevice::ReadOnly));
        const auto cross_rows = QString::fromUtf8(cross_csv.readAll());
        QVERIFY2(cross_rows.startsWith("kind,set,arch,") && cross_rows.contains(",mlp,") &&
                     cross_rows.contains(",convnetbn,"),
                 qPrintable(cross_rows));
        // A misspelt network is refused before any data is read, with the nearest name.
        const auto misspelt = run_cli(QStringList{"eval", "--arch", "mlp,vgg12"} + tiny(path("experts")));
        QCOMPARE(misspelt.code, 2);
        QVERIFY2(misspelt.err.contains("'vgg12'") && misspelt.err.contains("did you mean 'vgg11'"),
                 qPrintable(misspelt.err));
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

    // eval --baselines puts a soft-labelled set beside the random real subset distill compared it
    // with, hard and with teacher labels, and reproduces distill's own numbers for them.
    void evalBaselinesReproduceDistills() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        const auto experts = path("baseline-experts");
        const auto distill = run_cli(tiny_distill(experts, 2) + QStringList{"--set", "label_mode=teacher", "--out",
                                                                           path("teacher-run")});
        QVERIFY2(distill.code == 0, qPrintable(distill.err));
        const auto number_after = [](const QString& text, const QString& what) {
            const auto at = text.lastIndexOf(what);
            return at < 0 ? QString() : text.mid(at + what.size()).section('%', 0, 0).trimmed();
        };
        const auto hard = number_after(distill.out, "random real, hard labels:");
        const auto soft = number_after(distill.out, "random real, teacher soft labels:");
        QVERIFY2(!hard.isEmpty() && !soft.isEmpty(), qPrintable(distill.out));

        auto args = tiny_distill(experts, 2);
        args[0] = "eval";
        args.removeAt(1);  // --iterations N
        args.removeAt(1);
        const auto eval = run_cli(args + QStringList{"--synthetic", path("teacher-run/synthetic.dsyn"), "--baselines",
                                                     "--metrics", path("baselines.csv")});
        QVERIFY2(eval.code == 0, qPrintable(eval.err));
        QCOMPARE(number_after(eval.out, "random real subset (ipc 2), hard labels: test accuracy"), hard);
        QCOMPARE(number_after(eval.out, "random real subset (ipc 2), teacher soft labels: test accuracy"), soft);
        QVERIFY2(eval.out.contains("eval: side by side"), qPrintable(eval.out));
        QFile csv(path("baselines.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const auto rows = QString::fromUtf8(csv.readAll());
        QVERIFY2(rows.contains("eval,random_real,convnet,") && rows.contains("eval,random_real_soft,convnet,"),
                 qPrintable(rows));
        // Without a set, eval evaluates that random subset alone: a baseline on another network
        // without training the set's networks again.
        const auto alone = run_cli(args);
        QVERIFY2(alone.code == 0, qPrintable(alone.err));
        QCOMPARE(number_after(alone.out, "random real subset (ipc 2): test accuracy"), hard);
        // Without a synthetic set there is nothing to put beside the baselines.
        args.append("--baselines");
        QCOMPARE(run_cli(args).code, 2);
    }

    void distillKilledMidRunResumesBitForBit() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        const auto experts = path("kill-experts");
        const auto reference = run_cli(tiny_distill(experts, 30) + QStringList{"--out", path("reference"),
                                                                               "--checkpoint-every", "0"});
        QVERIFY2(reference.code == 0, qPrintable(reference.err));

        // Killed while the second checkpoint is written: its temporary file is complete but not
        // yet renamed (the test-only delay holds the writer there), the first one is in place.
        const auto killed = path("killed");
        const auto ckpt = (killed + "/checkpoint.dckpt").toStdString();
        kill_when(tiny_distill(experts, 30) + QStringList{"--out", killed, "--checkpoint-every", "5"},
                  [&] { return QFile::exists(killed + "/checkpoint.dckpt.tmp") && QFile::exists(killed + "/checkpoint.dckpt"); },
                  60000, 400);
        QVERIFY(QFile::exists(killed + "/checkpoint.dckpt.tmp"));
        // The second write, unless a very busy machine let the poll miss its window.
        const auto saved_at = read_checkpoint_info(ckpt).iteration;
        QVERIFY2(saved_at % 5 == 0 && saved_at >= 5 && saved_at < 30, qPrintable(QString::number(saved_at)));
        QVERIFY(!QFile::exists(killed + "/synthetic.dsyn"));
        const auto resumed = run_cli({"distill", "--resume", killed, "--threads", "1", "--quiet"});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        QVERIFY2(resumed.out.contains(QString("resuming %1/checkpoint.dckpt at iteration %2").arg(killed).arg(saved_at)),
                 qPrintable(resumed.out));
        QVERIFY(same_synthetic_set(path("reference/synthetic.dsyn"), killed + "/synthetic.dsyn"));
        QCOMPARE(read_checkpoint_info(ckpt).iteration, std::int64_t(30));
        // metrics.csv has every step, those before the kill from the checkpoint's history.
        QFile csv(killed + "/metrics.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(csv.readAll()).split('\n').filter(QRegularExpression("^step,")).size(), 30);

        // Killed at random moments after a checkpoint was written (mid-step or mid-write),
        // resumed each time from whatever checkpoint is there: the end is the same set.
        const auto again = path("killed-randomly");
        const auto again_ckpt = again + "/checkpoint.dckpt";
        std::mt19937 random(2024);
        for (int kill = 0; kill < 2; ++kill) {
            const auto args = kill == 0 ? tiny_distill(experts, 30) + QStringList{"--out", again, "--checkpoint-every", "1"}
                                        : QStringList{"distill", "--resume", again, "--checkpoint-every", "1", "--threads", "1", "--quiet"};
            const auto written_before = QFileInfo(again_ckpt).lastModified();
            const int extra_ms = static_cast<int>(random() % 400);
            QElapsedTimer since_new_checkpoint;
            kill_when(args,
                      [&] {
                          if (!since_new_checkpoint.isValid() && QFileInfo::exists(again_ckpt) &&
                              QFileInfo(again_ckpt).lastModified() != written_before)
                              since_new_checkpoint.start();
                          return since_new_checkpoint.isValid() && since_new_checkpoint.elapsed() >= extra_ms;
                      },
                      60000, 15);
            const auto at = read_checkpoint_info(again_ckpt.toStdString()).iteration;
            qInfo("kill %d, %d ms after a new checkpoint: the last complete one is at iteration %lld", kill, extra_ms,
                  static_cast<long long>(at));
            QVERIFY(at > 0 && at <= 30);
        }
        const auto last = run_cli({"distill", "--resume", again, "--threads", "1", "--quiet"});
        QVERIFY2(last.code == 0, qPrintable(last.err));
        QVERIFY(same_synthetic_set(path("reference/synthetic.dsyn"), again + "/synthetic.dsyn"));
    }

    void distillGuardStopsAndResumeContinues() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        const auto out = path("guarded");
        // Values beyond their range are refused before any work, with the range.
        const auto huge = run_cli(tiny_distill(path("kill-experts"), 4) + QStringList{"--out", out, "--set", "syn_steps=100000000"});
        QCOMPARE(huge.code, 2);
        QVERIFY2(huge.err.contains("syn_steps must lie between 1 and 10000, not 100000000"), qPrintable(huge.err));
        QVERIFY(!QFileInfo::exists(out + "/checkpoint.dckpt"));
        // lr_lr so large that the first update drives the learned lr below zero.
        const auto stopped = run_cli(tiny_distill(path("kill-experts"), 4) + QStringList{"--out", out, "--set", "lr_lr=1"});
        QCOMPARE(stopped.code, 4);
        QVERIFY2(stopped.err.contains("stopped at iteration 0: the learned lr went negative"), qPrintable(stopped.err));
        QVERIFY(stopped.err.contains("distillery-cli distill --resume " + out + " --set KEY=VALUE"));
        QCOMPARE(read_checkpoint_info((out + "/checkpoint.dckpt").toStdString()).iteration, std::int64_t(0));
        // Settings that decide the data, or shape the synthetic set, cannot change on resuming.
        auto refused = run_cli({"distill", "--resume", out, "--set", "train_per_class=30"});
        QCOMPARE(refused.code, 2);
        QVERIFY2(refused.err.contains("train_per_class: cannot change when resuming"), qPrintable(refused.err));
        refused = run_cli({"distill", "--resume", out, "--set", "ipc=3", "--threads", "1", "--quiet"});
        QCOMPARE(refused.code, 2);
        QVERIFY2(refused.err.contains("--set ipc=3: ipc cannot change during a run"), qPrintable(refused.err));
        refused = run_cli({"distill", "--resume", path("nothing-here")});
        QCOMPARE(refused.code, 2);
        QVERIFY2(refused.err.contains("nothing-here: no checkpoint file here"), qPrintable(refused.err));
        const auto fixed = run_cli({"distill", "--resume", out, "--set", "lr_lr=1e-7", "--threads", "1", "--quiet"});
        QVERIFY2(fixed.code == 0, qPrintable(fixed.err));
        QCOMPARE(read_checkpoint_info((out + "/checkpoint.dckpt").toStdString()).iteration, std::int64_t(4));
    }

    void interruptKeepsFinishedExperts() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
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
