// Several processes through c10d (Gloo on 127.0.0.1): the engine's averaged step against the
// ranks' own gradients in float64, `distillery-cli distill` on two processes against the same two
// ranks run here, expert generation on two processes against one, a rank killed and the job
// resumed, and the messages of a job that cannot start.
#include "common/torch_pch.h"

#include <QtTest>

#include <QProcess>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <functional>
#include <thread>

#include "cli_support.h"
#include "common/folder_lock.h"
#include "common/runtime.h"
#include "config/settings.h"
#include "distill/checkpoint.h"
#include "distill/run.h"
#include "distill/synthetic_set.h"
#include "distributed/launch.h"
#include "distributed/process_group.h"
#include "expert/expert_trainer.h"
#include "test_support.h"
#include "tiny_fixtures.h"

using namespace distillery;

namespace {

using distillery::test::CliResult;
using distillery::test::tiny_distill;

// A port nobody listens on now: the kernel's pick for port 0, released again.
int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        return 29500;
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

LaunchEnvironment rank_of_two(int rank, int port) {
    LaunchEnvironment e;
    e.rank = rank;
    e.world_size = 2;
    e.master_addr = "127.0.0.1";
    e.master_port = port;
    e.timeout = std::chrono::seconds(60);
    return e;
}

// The CLI as rank `rank` of `world` (torchrun's variables), started, not waited for.
std::unique_ptr<QProcess> start_rank(const QStringList& args, int rank, int world, int port,
                                     const QString& extra_env = {}) {
    auto p = std::make_unique<QProcess>();
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("RANK", QString::number(rank));
    env.insert("LOCAL_RANK", QString::number(rank));
    env.insert("WORLD_SIZE", QString::number(world));
    env.insert("MASTER_ADDR", "127.0.0.1");
    env.insert("MASTER_PORT", QString::number(port));
    env.insert("DISTILLERY_DIST_TIMEOUT", "60");
    if (!extra_env.isEmpty()) env.insert(extra_env.section('=', 0, 0), extra_env.section('=', 1));
    p->setProcessEnvironment(env);
    p->start(QStringLiteral(DISTILLERY_CLI), args);
    p->waitForStarted();
    return p;
}

CliResult finish(QProcess& p, int timeout_ms = 120000) {
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// Both ranks of a two-process job with the same arguments, run to their end.
std::array<CliResult, 2> run_two_ranks(const QStringList& args) {
    const int port = free_port();
    auto r0 = start_rank(args, 0, 2, port);
    auto r1 = start_rank(args, 1, 2, port);
    return {finish(*r0), finish(*r1)};
}

QString both(const std::array<CliResult, 2>& r) {
    return "rank 0:\n" + r[0].out + r[0].err + "\nrank 1:\n" + r[1].out + r[1].err;
}

QByteArray file_bytes(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The Settings a CLI command line makes (the quick preset, then its --set and --iterations).
Settings settings_of(const QStringList& args) {
    Settings s = load_preset("quick");
    for (int i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == "--set") s.assign(args[i + 1].toStdString());
        if (args[i] == "--iterations") s.set("Iteration", args[i + 1].toStdString());
    }
    return s;
}

// A step exchange over a real process group that keeps what went in and what came out.
class RecordingExchange : public StepExchange {
public:
    explicit RecordingExchange(ProcessGroup& group) : group_(group) {}
    int rank() const override { return group_.rank(); }
    int world_size() const override { return group_.world_size(); }
    void all_reduce_sum(at::Tensor& buffer) override {
        sent.push_back(buffer.clone());
        group_.all_reduce_sum(buffer, "the test's all-reduce");
        received.push_back(buffer.clone());
    }
    std::vector<at::Tensor> sent, received;

private:
    ProcessGroup& group_;
};

// Two ranks of one run, each on its own thread with its own process group on 127.0.0.1, for
// `steps` steps; `each` sees every rank's run and exchange after every step.
struct TwoRanks {
    std::array<std::unique_ptr<DistillRun>, 2> runs;
    std::array<std::shared_ptr<RecordingExchange>, 2> exchanges;
    std::array<std::vector<at::Tensor>, 2> images_before;  // the images each step started from
};

TwoRanks step_two_ranks(const std::shared_ptr<const PreparedData>& data, const std::string& experts,
                        const DistillConfig& cfg, int steps) {
    TwoRanks t;
    const int port = free_port();
    std::array<std::string, 2> failure;
    std::array<std::unique_ptr<ProcessGroup>, 2> groups;
    auto rank_main = [&](int rank) {
        try {
            groups[rank] = ProcessGroup::connect(rank_of_two(rank, port), "cpu");
            t.runs[rank] = std::make_unique<DistillRun>(data, experts, cfg);
            t.exchanges[rank] = std::make_shared<RecordingExchange>(*groups[rank]);
            t.runs[rank]->set_exchange(t.exchanges[rank]);
            for (int i = 0; i < steps; ++i) {
                t.images_before[rank].push_back(t.runs[rank]->images());
                const auto r = t.runs[rank]->step();
                if (!r.guard.empty()) throw Error("guard: " + r.guard);
            }
        } catch (const std::exception& e) {
            failure[rank] = e.what();
        }
    };
    std::thread other(rank_main, 1);
    rank_main(0);
    other.join();
    for (int rank = 0; rank < 2; ++rank)
        if (!failure[rank].empty()) throw Error("rank " + std::to_string(rank) + ": " + failure[rank]);
    return t;
}

}  // namespace

class TestDistributed : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString path(const QString& name) const { return tmp_.filePath(name); }

private Q_SLOTS:
    void initTestCase() {
        // The runtime of the CLI with --threads 1 (one LibTorch and one BLAS thread): the same
        // arithmetic, bit for bit.
        init_runtime(1);
    }

    // The engine: at every step each rank sends its own gradient, every rank receives the sum,
    // the update applies their mean in float64, and both ranks end with the same set, for every
    // gradient mode and with learned labels.
    void averagedStepIsTheMeanOfTheRanksGradients() {
        auto data32 = fixtures::random_data("random", 1, 8, 3, 30, 6);
        const std::string experts = path("engine-experts").toStdString();
        generate_experts(*data32, fixtures::expert_config(2, 3, 10, 4, 1), experts);
        auto data = std::make_shared<PreparedData>(*data32);
        data->train_x = data32->train_x.to(torch::kFloat64);
        data->test_x = data32->test_x.to(torch::kFloat64);
        struct Case {
            GradientMode mode;
            LabelMode labels;
        };
        for (const auto& c : {Case{GradientMode::Unrolled, LabelMode::Hard}, Case{GradientMode::Exact, LabelMode::Hard},
                              Case{GradientMode::Tesla, LabelMode::Hard}, Case{GradientMode::Exact, LabelMode::Learned}}) {
            auto cfg = fixtures::short_distill("mtt", 2, 2, 1, 2, 7);
            cfg.mode = c.mode;
            cfg.labels = c.labels;
            cfg.momentum_img = 0;  // each update is then lr_img times that step's averaged gradient
            cfg.lr_lr = 1e-7;      // the learned lr moves, and stays positive
            const std::string what = to_string(c.mode) + ", " + to_string(c.labels) + " labels";
            const int steps = 3;
            TwoRanks t;
            try {
                t = step_two_ranks(data, experts, cfg, steps);
            } catch (const Error& e) {
                QFAIL((what + ": " + e.what()).c_str());
            }
            const auto n_images = t.runs[0]->images().numel();
            for (int i = 0; i < steps; ++i) {
                const auto& a = t.exchanges[0]->sent[i];
                const auto& b = t.exchanges[1]->sent[i];
                // The ranks matched different problems (their own experts and mini-batches), so
                // a run that dropped the all-reduce would not hold the mean.
                QVERIFY2(!a.slice(0, 0, n_images).equal(b.slice(0, 0, n_images)), what.c_str());
                QVERIFY2(t.exchanges[0]->received[i].equal(t.exchanges[1]->received[i]), what.c_str());
                QVERIFY2(t.exchanges[0]->received[i].equal(a + b), what.c_str());
                // The update: the mean of the two ranks' image gradients (float64), times lr_img.
                const auto mean = ((a + b) / 2).slice(0, 0, n_images);
                const auto before = t.images_before[0][i];
                const auto after = i + 1 < steps ? t.images_before[0][i + 1] : t.runs[0]->images();
                const auto expected = before - (cfg.lr_img * mean).reshape(before.sizes());
                QVERIFY2(after.equal(expected), (what + ": step " + std::to_string(i)).c_str());
            }
            QVERIFY2(t.runs[0]->images().equal(t.runs[1]->images()), what.c_str());
            QCOMPARE(t.runs[0]->lr(), t.runs[1]->lr());
            QVERIFY(t.runs[0]->export_state(false).rng == t.runs[1]->export_state(false).rng);
            if (c.labels == LabelMode::Learned)
                QVERIFY(t.runs[0]->label_targets().equal(t.runs[1]->label_targets()));
            // The records: each rank's own expert, the mean loss.
            const auto h0 = t.runs[0]->history(), h1 = t.runs[1]->history();
            QVERIFY(h0[0].expert != h1[0].expert);
            QCOMPARE(h0[0].loss, h1[0].loss);
            QVERIFY(h0[0].distributed);
        }
    }

    // `experts` on two processes writes the same files as on one; a generation cut short (an
    // expert missing in the middle) is completed by the next two-process run.
    void expertsOnTwoProcessesEqualOne() {
        if (!test::have_fashion_mnist()) QSKIP("needs Debian's dataset-fashion-mnist");
        const QStringList tiny{"experts", "--set", "train_per_class=20", "--set", "net_width=8", "--set", "net_depth=2",
                               "--set", "num_experts=3", "--set", "train_epochs=1", "--threads", "1", "--quiet"};
        const auto two = run_two_ranks(tiny + QStringList{"--experts", path("experts-two")});
        QVERIFY2(two[0].code == 0 && two[1].code == 0, qPrintable(both(two)));
        QVERIFY2(two[0].out.contains("rank 0 of 2 trains 2 of the missing experts"), qPrintable(both(two)));
        QVERIFY2(two[1].out.contains("rank 1 of 2 trains 1 of the missing experts"), qPrintable(both(two)));
        const auto one = test::run_cli(tiny + QStringList{"--experts", path("experts-one")});
        QVERIFY2(one.code == 0, qPrintable(one.err));
        for (const char* name : {"expert_0000.dtraj", "expert_0001.dtraj", "expert_0002.dtraj"}) {
            const auto a = file_bytes(path("experts-two/") + name);
            QVERIFY2(!a.isEmpty(), name);
            QVERIFY2(a == file_bytes(path("experts-one/") + name), name);
        }
        // Cut short: expert 1 missing. Rank 0 lists it, one rank trains it, the others keep.
        QVERIFY(QFile::remove(path("experts-two/expert_0001.dtraj")));
        const auto again = run_two_ranks(tiny + QStringList{"--experts", path("experts-two")});
        QVERIFY2(again[0].code == 0 && again[1].code == 0, qPrintable(both(again)));
        QVERIFY2(again[0].out.contains("trains 1 of the missing") && again[1].out.contains("trains 0 of the missing"),
                 qPrintable(both(again)));
        QVERIFY(file_bytes(path("experts-two/expert_0001.dtraj")) == file_bytes(path("experts-one/expert_0001.dtraj")));
    }

    // `distill` on two processes: both ranks end with the same set (each checks rank 0's, bit for
    // bit), and rank 0's output equals the two ranks run here on the engine, which
    // averagedStepIsTheMeanOfTheRanksGradients checks against the ranks' own gradients. One
    // process (no all-reduce) ends elsewhere.
    void distillOnTwoProcessesAveragesTheRanks() {
        if (!test::have_fashion_mnist()) QSKIP("needs Debian's dataset-fashion-mnist");
        auto args = tiny_distill(path("distill-experts"), 6);
        args.replaceInStrings("num_experts=1", "num_experts=2");
        const auto two = run_two_ranks(args + QStringList{"--out", path("two"), "--checkpoint-every", "2"});
        QVERIFY2(two[0].code == 0 && two[1].code == 0, qPrintable(both(two)));
        for (const auto& r : two)
            QVERIFY2(r.out.contains("the 2 ranks hold the same synthetic set, bit for bit"), qPrintable(both(two)));
        QVERIFY2(two[0].out.contains("synthetic set written to"), qPrintable(two[0].out));
        QVERIFY2(!two[1].out.contains("synthetic set written to"), qPrintable(two[1].out));  // rank 0 writes
        const auto written = load_synthetic_set(path("two/synthetic.dsyn").toStdString());
        QVERIFY(file_bytes(path("two/metrics.csv")).contains("allreduce_seconds"));

        // The same two ranks on this process's engine.
        const auto s = settings_of(args);
        auto data = std::make_shared<PreparedData>(prepare_from_settings(s, "cpu"));
        const auto cfg = DistillConfig::from_settings(s, data->name);
        TwoRanks t;
        try {
            t = step_two_ranks(data, path("distill-experts").toStdString(), cfg, 6);
        } catch (const Error& e) {
            QFAIL(e.what());
        }
        QVERIFY(written.images.equal(t.runs[0]->images()));
        QCOMPARE(written.lr, t.runs[0]->lr());

        const auto one = test::run_cli(args + QStringList{"--out", path("one")});
        QVERIFY2(one.code == 0, qPrintable(one.err));
        QVERIFY(!load_synthetic_set(path("one/synthetic.dsyn").toStdString()).images.equal(written.images));
    }

    // kill -9 of one rank: the other ends at once with a message and exit status 5, the last
    // checkpoint is intact, and two ranks resume it to the same set as the uninterrupted job.
    void killedRankEndsTheJobAndItResumes() {
        if (!test::have_fashion_mnist()) QSKIP("needs Debian's dataset-fashion-mnist");
        auto args = tiny_distill(path("distill-experts"), 6);
        args.replaceInStrings("num_experts=1", "num_experts=2");
        const QString out = path("killed"), ckpt = out + "/checkpoint.dckpt";
        const QStringList resume{"distill", "--resume", out, "--threads", "1", "--quiet"};
        const auto saved_iteration = [&]() -> std::int64_t {
            try {
                return read_checkpoint_info(ckpt.toStdString()).iteration;
            } catch (const Error&) {
                return -1;
            }
        };
        // Rank 1 killed (then rank 0 in the resumed job) once a checkpoint at iteration 2 or
        // later is written; each checkpoint takes 300 ms, so there is time to see it.
        for (int victim : {1, 0}) {
            const QStringList job = (saved_iteration() < 0 ? args + QStringList{"--out", out} : resume) +
                                    QStringList{"--checkpoint-every", "1"};
            const int port = free_port();
            const QString slow = "DISTILLERY_TEST_CHECKPOINT_DELAY_MS=300";
            std::array<std::unique_ptr<QProcess>, 2> ranks{start_rank(job, 0, 2, port, slow),
                                                           start_rank(job, 1, 2, port, slow)};
            const auto before = saved_iteration();
            QElapsedTimer clock;
            clock.start();
            while (saved_iteration() < std::max<std::int64_t>(before + 1, 2) && clock.elapsed() < 60000 &&
                   ranks[victim]->state() == QProcess::Running)
                QTest::qWait(5);
            if (ranks[victim]->state() != QProcess::Running) {
                const auto r0 = finish(*ranks[0]), r1 = finish(*ranks[1]);
                QFAIL(qPrintable(QString("rank %1 ended before the kill (checkpoint at %2):\n").arg(victim).arg(saved_iteration()) +
                                 both({r0, r1})));
            }
            ::kill(static_cast<pid_t>(ranks[victim]->processId()), SIGKILL);
            finish(*ranks[victim]);
            clock.restart();
            const auto survivor = finish(*ranks[1 - victim], 30000);
            QVERIFY2(clock.elapsed() < 20000, "the surviving rank waited for a time-out");
            QVERIFY2(survivor.code == 5, qPrintable(survivor.out + survivor.err));
            QVERIFY2(survivor.err.contains("lost the other ranks"), qPrintable(survivor.err));
            const auto at = saved_iteration();
            QVERIFY2(at >= 2 && at < 6, qPrintable(QString::number(at)));  // intact, readable, mid-run
        }
        // Rank 0's lock went with it: two ranks resume and finish.
        const auto resumed = run_two_ranks(resume);
        QVERIFY2(resumed[0].code == 0 && resumed[1].code == 0, qPrintable(both(resumed)));
        QVERIFY2(resumed[0].out.contains("resuming"), qPrintable(resumed[0].out));
        QCOMPARE(saved_iteration(), std::int64_t(6));
        if (!QFile::exists(path("two/synthetic.dsyn"))) {  // this test run alone
            const auto two = run_two_ranks(args + QStringList{"--out", path("two")});
            QVERIFY2(two[0].code == 0 && two[1].code == 0, qPrintable(both(two)));
        }
        const auto done = load_synthetic_set((out + "/synthetic.dsyn").toStdString());
        const auto uninterrupted = load_synthetic_set(path("two/synthetic.dsyn").toStdString());
        QVERIFY(done.images.equal(uninterrupted.images));
        QCOMPARE(done.lr, uninterrupted.lr);
    }

    // A job that cannot start says why, on every rank, instead of waiting.
    void jobsThatCannotStartSayWhy() {
        {
            QProcess p;
            auto env = QProcessEnvironment::systemEnvironment();
            env.insert("WORLD_SIZE", "2");
            env.insert("RANK", "0");
            env.remove("MASTER_ADDR");
            p.setProcessEnvironment(env);
            p.start(QStringLiteral(DISTILLERY_CLI), {"distill", "--quiet"});
            const auto r = finish(p);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains("MASTER_ADDR is not set"), qPrintable(r.err));
        }
        {
            QProcess p;
            auto env = QProcessEnvironment::systemEnvironment();
            env.insert("WORLD_SIZE", "2");
            env.insert("RANK", "2");
            p.setProcessEnvironment(env);
            p.start(QStringLiteral(DISTILLERY_CLI), {"experts", "--quiet"});
            const auto r = finish(p);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains("RANK = '2' must be an integer from 0 to 1"), qPrintable(r.err));
        }
        {
            auto p = start_rank({"eval", "--quiet"}, 0, 2, free_port());
            const auto r = finish(*p);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains("only `experts` and `distill` run across processes"), qPrintable(r.err));
        }
        {
            // Rank 1 never comes: rank 0 gives up after the time-out, saying so.
            auto p = start_rank({"experts", "--quiet"}, 0, 2, free_port(), "DISTILLERY_DIST_TIMEOUT=2");
            const auto r = finish(*p);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains("not all 2 ranks arrived within 2 s"), qPrintable(r.err));
        }
        if (!test::have_fashion_mnist()) QSKIP("needs Debian's dataset-fashion-mnist");
        // Rank 0 cannot take the run folder (another run holds it): both ranks end, naming it.
        auto args = tiny_distill(path("distill-experts"), 2);
        args.replaceInStrings("num_experts=1", "num_experts=2");
        const QString busy = path("busy");
        FolderLock other(busy.toStdString(), "another run");
        const auto r = run_two_ranks(args + QStringList{"--out", busy});
        QVERIFY2(r[0].code == 2 && r[0].err.contains("in use by another run"), qPrintable(both(r)));
        QVERIFY2(r[1].code == 2 && r[1].err.contains("rank 0 cannot write the run folder"), qPrintable(both(r)));

        // Ranks given different commands: both refuse before the first step, naming it.
        const int port = free_port();
        auto r0 = start_rank(args + QStringList{"--out", path("differ")}, 0, 2, port);
        auto r1 = start_rank(args + QStringList{"--out", path("differ"), "--set", "lr_img=10"}, 1, 2, port);
        const std::array<CliResult, 2> d{finish(*r0), finish(*r1)};
        QVERIFY2(d[0].code == 2 && d[1].code == 2, qPrintable(both(d)));
        QVERIFY2(d[1].err.contains("rank 1 of 2 holds another run than rank 0 at the start (not the same settings)"),
                 qPrintable(both(d)));
        QVERIFY2(d[0].err.contains("1 rank(s) hold another run than rank 0 at the start"), qPrintable(both(d)));
        QVERIFY(!QFile::exists(path("differ/checkpoint.dckpt")));
    }
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "tst_distributed.moc"
