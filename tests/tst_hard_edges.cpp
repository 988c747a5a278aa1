// The hard edges a probe of faults and bad input found (docs/reliability.md): each case as a user
// or a failing machine meets it, and what must happen instead: a clear refusal before any work, an
// interrupted command that keeps what it did and exits 130, a damaged file refused by name.
#include "common/torch_pch.h"

#include <QtTest>

#include <csignal>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "cli_support.h"
#include "common/folder_lock.h"
#include "common/metrics_log.h"
#include "config/settings.h"
#include "data/dataset.h"
#include "distill/checkpoint.h"
#include "distill/config.h"
#include "distill/run.h"
#include "distill/run_settings.h"
#include "distill/synthetic_set.h"
#include "eval/evaluate.h"
#include "expert/expert_trainer.h"
#include "expert/trajectory.h"
#include "interop/pytorch_files.h"
#include "test_support.h"
#include "tiny_fixtures.h"

namespace fs = std::filesystem;
using namespace distillery;
using distillery::test::expect_error;
using distillery::test::run_cli;
using distillery::test::tiny_distill;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// A signal set of a process's main thread from /proc/PID/status ("SigBlk", "SigCgt"): bit n - 1
// stands for signal n.
unsigned long long signal_set_of(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1), nullptr, 16);
    return 0;
}

void spit(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::uint32_t u32_at(const std::string& b, std::size_t at) {
    std::uint32_t v = 0;
    std::memcpy(&v, b.data() + at, 4);
    return v;
}

std::string u32_bytes(std::uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }

// A checkpoint file rebuilt with `edit` applied to its payload: the header's payload_bytes and the
// CRC-32 trailer made to fit again, so that only the reader's checks of the values can refuse it.
// Layout (core/distill/checkpoint.cpp): 8-byte magic, uint32 header length, "key=value" lines,
// the payload, the CRC-32 of everything before it.
std::string rewritten_checkpoint(const std::string& bytes, const std::function<void(std::string&)>& edit) {
    const auto header_length = u32_at(bytes, 8);
    std::string header = bytes.substr(12, header_length);
    std::string payload = bytes.substr(12 + header_length, bytes.size() - 12 - header_length - 4);
    edit(payload);
    const auto from = header.find("payload_bytes=") + std::strlen("payload_bytes=");
    header.replace(from, header.find('\n', from) - from, std::to_string(payload.size()));
    std::string out = bytes.substr(0, 8) + u32_bytes(static_cast<std::uint32_t>(header.size())) + header + payload;
    const auto crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size())));
    return out + u32_bytes(crc);
}

// Writes `n` hard-labelled 1x28x28 images with the given labels as a synthetic set.
SyntheticSet fashion_sized_set(const at::Tensor& labels) {
    SyntheticSet set;
    set.images = torch::zeros({labels.size(0), 1, 28, 28});
    set.labels = labels;
    set.lr = 0.01;
    set.info = {{"dataset", "fashion-mnist"}, {"transform", "normalize"}};
    return set;
}

// The CLI runs as a separate process; this waits for it while letting the test poll files.
bool wait_for(const std::function<bool()>& ready, int timeout_ms) {
    QElapsedTimer clock;
    clock.start();
    while (!ready()) {
        if (clock.elapsed() > timeout_ms) return false;
        QTest::qWait(20);
    }
    return true;
}

}  // namespace

class TestHardEdges : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString path(const QString& name) const { return tmp_.filePath(name); }
    std::string file(const std::string& name) const { return (fs::path(tmp_.path().toStdString()) / name).string(); }

    // Experts of the tiny CLI distillation (tiny_distill), made once by the CLI itself.
    QString cli_experts() {
        const auto dir = path("cli-experts");
        if (ExpertStore(dir.toStdString()).count() == 0) {
            const auto made = run_cli(tiny_distill(dir, 1) + QStringList{"--out", path("cli-experts-run")});
            if (made.code != 0) qWarning("%s", qPrintable(made.err));
        }
        return dir;
    }

    // A tiny run on random data, with its experts: no data set needed.
    struct TinyRun {
        std::shared_ptr<PreparedData> data;
        std::string experts;
        DistillConfig config;
    };
    TinyRun tiny_run(const std::string& name) {
        TinyRun t;
        t.data = fixtures::random_data("random", 1, 8, 3, 30, 12);
        t.experts = file(name);
        generate_experts(*t.data, fixtures::expert_config(1, 3, 10, 4, 1), t.experts);
        t.config = fixtures::short_distill("mtt", 1, 2, 1, 2, 3);
        t.config.lr_img = 10;
        t.config.lr_lr = 0;  // random data drive the learned lr anywhere; these tests need steps that update
        return t;
    }

private Q_SLOTS:
    // 1. A hard label beyond the data set's classes is refused when the file is read, by name,
    // not deep inside an evaluation by LibTorch ("Target 10 is out of bounds", exit 3).
    void labelBeyondTheClassesIsRefused() {
        const auto labels = torch::arange(11, torch::kInt64);  // 0..10 for 10 classes
        auto set = fashion_sized_set(labels);
        set.info["classes"] = "10";
        save_synthetic_set(file("beyond.dsyn"), set);
        expect_error([&] { load_synthetic_set(file("beyond.dsyn")); }, {"beyond.dsyn", "label 10 is out of range", "10 classes"});
        auto r = run_cli({"export-pt", "--synthetic", path("beyond.dsyn"), "--out", path("beyond-pt")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("label 10 is out of range"), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(path("beyond-pt/labels_best.pt")));

        DISTILLERY_REQUIRE_FASHION_MNIST();
        // A set that does not record its classes (written before it did, or by hand) is checked
        // against the data set it is evaluated on.
        auto unrecorded = fashion_sized_set(labels);
        save_synthetic_set(file("unrecorded.dsyn"), unrecorded);
        r = run_cli({"eval", "--synthetic", path("unrecorded.dsyn"), "--set", "num_eval=1", "--set", "epoch_eval_train=1", "--quiet"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("label 10 is out of range: the data set has 10 classes"), qPrintable(r.err));
        QVERIFY2(!r.err.contains("Exception raised from"), qPrintable(r.err));
        // labels_best.pt from Python: import-synthetic checks the labels against the data set.
        export_synthetic_set_pt(unrecorded, file("python-set"));
        r = run_cli({"import-synthetic", path("python-set"), "--out", path("imported.dsyn"), "--quiet"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("label 10 is out of range"), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(path("imported.dsyn")));
    }

    // The evaluation itself refuses labels outside the classes, whoever calls it.
    void evaluationRefusesLabelsOutsideTheClasses() {
        const auto data = fixtures::random_data("random", 1, 8, 3, 30, 12);
        EvalConfig cfg;
        cfg.networks = 1;
        cfg.epochs = 1;
        const auto images = torch::zeros({3, 1, 8, 8});
        expect_error([&] { evaluate_set(*data, images, torch::tensor({0, 1, 3}, torch::kInt64), 0.01, cfg); },
                     {"a label lies outside the 3 classes of random"});
        expect_error([&] { evaluate_set(*data, images, torch::full({3, 4}, 0.25), 0.01, cfg); },
                     {"soft labels are over 4 classes, random has 3"});
    }

    // 12. Soft labels must be probabilities in a .dsyn as in labels_best.pt.
    void negativeSoftLabelsAreRefused() {
        auto set = fashion_sized_set(torch::zeros({2}, torch::kInt64));
        set.labels = torch::tensor({{-0.5f, 1.5f}, {0.5f, 0.5f}});
        save_synthetic_set(file("negative-soft.dsyn"), set);
        expect_error([&] { load_synthetic_set(file("negative-soft.dsyn")); },
                     {"negative-soft.dsyn", "soft labels must be probabilities", "negative"});
        set.labels = torch::tensor({{0.2f, 0.2f}, {0.5f, 0.5f}});
        save_synthetic_set(file("unnormalised.dsyn"), set);
        expect_error([&] { load_synthetic_set(file("unnormalised.dsyn")); }, {"row 0 sums to 0.4"});
    }

    // 2. Ctrl-C during an evaluation is an interruption (exit 130), and distill still writes its
    // metrics.csv.
    void interruptDuringEvaluationExits130() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        QProcess eval;
        eval.start(QStringLiteral(DISTILLERY_CLI), {"eval", "--ipc", "10", "--set", "epoch_eval_train=100000"});
        QVERIFY(eval.waitForStarted());
        // Ctrl-C once the evaluation has begun (its progress bar, on stderr, shows the first
        // network), not at a fixed time that a loaded machine may still spend loading.
        QByteArray progress;
        QVERIFY(wait_for([&] { return (progress += eval.readAllStandardError()).contains("network 1/"); }, 120000));
        QTest::qWait(500);
        // The main thread, which runs the convolutions, never takes the signal: it blocks it, and
        // only a thread that computes nothing runs the handler (cli/interrupts.h says why).
        const auto pid = static_cast<pid_t>(eval.processId());
        const auto blocked = signal_set_of(pid, "SigBlk"), caught = signal_set_of(pid, "SigCgt");
        for (int sig : {SIGINT, SIGTERM}) {
            QVERIFY2(blocked & (1ull << (sig - 1)), qPrintable(QString("signal %1 not blocked in the main thread").arg(sig)));
            QVERIFY2(caught & (1ull << (sig - 1)), qPrintable(QString("signal %1 not caught").arg(sig)));
        }
        ::kill(pid, SIGINT);
        QVERIFY(eval.waitForFinished(120000));
        QCOMPARE(eval.exitCode(), 130);

        const auto experts = cli_experts();
        const auto out = path("interrupted-eval");
        QProcess distill;
        distill.start(QStringLiteral(DISTILLERY_CLI),
                      tiny_distill(experts, 2) + QStringList{"--out", out, "--set", "epoch_eval_train=100000"});
        QVERIFY(distill.waitForStarted());
        // The synthetic set is written after the last iteration, just before the final evaluation.
        QVERIFY(wait_for([&] { return QFileInfo::exists(out + "/synthetic.dsyn"); }, 120000));
        QTest::qWait(500);
        ::kill(static_cast<pid_t>(distill.processId()), SIGINT);
        QVERIFY(distill.waitForFinished(120000));
        QCOMPARE(distill.exitCode(), 130);
        const auto printed = QString::fromUtf8(distill.readAllStandardOutput());
        QVERIFY2(printed.contains("interrupted during the final evaluation"), qPrintable(printed));
        const auto metrics = QString::fromStdString(slurp((out + "/metrics.csv").toStdString()));
        QVERIFY2(metrics.count("\nstep,") == 2, qPrintable(metrics));
    }

    // 3. Experts of another data set, width or schedule than the settings say are refused.
    void expertsOfOtherSettingsAreRefused() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        const auto experts = cli_experts();
        QVERIFY(ExpertStore(experts.toStdString()).count() >= 1);
        auto r = run_cli(tiny_distill(experts, 1) + QStringList{"--out", path("wider"), "--set", "net_width=16"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("width=8 depth=2, but the settings ask for convnet c=1 h=28 w=28 k=10 width=16"), qPrintable(r.err));
        r = run_cli(tiny_distill(experts, 1) + QStringList{"--out", path("longer"), "--set", "train_epochs=5"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("trained for 3 epochs, but the settings ask for train_epochs = 5"), qPrintable(r.err));
        // The same expert, its header saying it was trained on MNIST.
        const auto original = ExpertStore(experts.toStdString()).open(0);
        auto header = original.header();
        header["dataset"] = "mnist";
        std::vector<at::Tensor> checkpoints;
        for (std::int64_t e = 0; e < original.checkpoints(); ++e) checkpoints.push_back(original.checkpoint(e));
        const auto mnist = path("mnist-experts");
        QDir().mkpath(mnist);
        TrajectoryFile::write(ExpertStore(mnist.toStdString()).path_of(0), header, checkpoints);
        r = run_cli(tiny_distill(mnist, 1) + QStringList{"--out", path("mnist-run")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("trained on mnist, but the settings ask for fashion-mnist"), qPrintable(r.err));
    }

    // 4. NaN, Inf or absurd values inside an expert file are refused by name when read; the run's
    // guard does not blame lr_img for them.
    void damagedExpertValuesAreNamed() {
        auto t = tiny_run("damaged-source");
        const auto source = ExpertStore(t.experts).open(0);
        for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(), 1e30f}) {
            std::vector<at::Tensor> checkpoints;
            for (std::int64_t e = 0; e < source.checkpoints(); ++e) checkpoints.push_back(source.checkpoint(e));
            checkpoints[1][5] = bad;
            const auto dir = file("damaged");
            fs::create_directories(dir);
            TrajectoryFile::write(ExpertStore(dir).path_of(0), source.header(), checkpoints);
            const auto damaged = ExpertStore(dir).open(0);
            damaged.checkpoint(0);
            expect_error([&] { damaged.checkpoint(1); },
                         {"expert_0000.dtraj: checkpoint 1 holds", std::isfinite(bad) ? "1e+30" : "NaN or Inf", "damaged"});
            // Every iteration of a run on it reads the damaged checkpoint sooner or later; the
            // step refuses with the file's name and leaves the run where it was.
            DistillRun run(t.data, dir, t.config);
            try {
                for (int i = 0; i < 20; ++i) QVERIFY(run.step().guard.empty());
                QFAIL("no step read the damaged checkpoint");
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find("expert_0000.dtraj") != std::string::npos, e.what());
                QVERIFY2(std::string(e.what()).find("lr_img") == std::string::npos, e.what());
            }
        }
        // A header whose train_epochs disagrees with the checkpoints the file holds.
        auto header = source.header();
        header["train_epochs"] = "7";
        TrajectoryFile::write(file("epochs.dtraj"), header, {source.checkpoint(0), source.checkpoint(1)});
        expect_error([&] { TrajectoryFile::open(file("epochs.dtraj")); }, {"train_epochs = 7", "2 checkpoints (1 epochs)"});
    }

    // 5. Checkpoints with a valid checksum whose values no run can reach.
    void craftedCheckpointsAreRefused() {
        auto t = tiny_run("crafted-experts");
        DistillRun run(t.data, t.experts, t.config);
        for (int i = 0; i < 2; ++i) {
            const auto step = run.step();
            QVERIFY2(step.guard.empty(), step.guard.c_str());
        }
        const auto good = file("good.dckpt");
        save_checkpoint(run, "", t.experts, good);
        QCOMPARE(read_checkpoint_info(good).iteration, std::int64_t(2));

        auto save_state = [&](DistillRunState s, const std::string& name) {
            const auto crafted = DistillRun::from_state(t.data, t.experts, std::move(s));
            save_checkpoint(*crafted, "", t.experts, file(name));
            return file(name);
        };
        auto state = run.export_state();
        QVERIFY(state.images_opt.buffer.defined());
        state.images_opt.buffer = torch::full_like(state.images_opt.buffer, std::numeric_limits<float>::quiet_NaN());
        const auto nan_buffer = save_state(state, "nan-momentum.dckpt");
        expect_error([&] { read_checkpoint_info(nan_buffer); },
                     {"nan-momentum.dckpt", "not valid", "NaN or Inf in the images' optimiser's momentum buffer"});

        state = run.export_state();
        state.lr = -0.5;
        state.lr_tensor = torch::full({}, -0.5, torch::kFloat64);
        const auto negative_lr = save_state(state, "negative-lr.dckpt");
        expect_error([&] { read_checkpoint_info(negative_lr); }, {"negative-lr.dckpt", "the learned lr is -0.5"});

        // The saved configuration without one of its keys (tesla_cosine): the payload lists it as
        // text "tesla_cosine", then its value, each after a uint32 length.
        const auto missing = file("missing-key.dckpt");
        spit(missing, rewritten_checkpoint(slurp(good), [](std::string& payload) {
            const std::string key = "tesla_cosine";
            const auto at = payload.find(u32_bytes(static_cast<std::uint32_t>(key.size())) + key);
            QVERIFY(at != std::string::npos);
            const auto value_length = u32_at(payload, at + 4 + key.size());
            payload.erase(at, 4 + key.size() + 4 + value_length);
            // The key count follows the settings text and the experts folder, each a uint32 length and its bytes.
            std::size_t count_at = 0;
            for (int text = 0; text < 2; ++text) count_at += 4 + u32_at(payload, count_at);
            const auto count = u32_at(payload, count_at);
            payload.replace(count_at, 4, u32_bytes(count - 1));
        }));
        expect_error([&] { read_checkpoint_info(missing); }, {"missing-key.dckpt", "lacks 'tesla_cosine'"});
    }

    // 6. The guard's advice for a negative learned lr works: the floor it suggests is accepted, and
    // a floor of 0 (which stops the student learning) is refused up front.
    void lrFloorAdviceWorks() {
        DistillConfig c;
        const auto zero = c.apply("lr_floor", "0");
        QVERIFY2(zero.find("lr_floor must be positive or off") != std::string::npos, zero.c_str());
        QVERIFY(c.apply("lr_floor", "off").empty());

        DISTILLERY_REQUIRE_FASHION_MNIST();
        const auto experts = cli_experts();
        const auto out = path("negative-lr");
        const auto stopped = run_cli(tiny_distill(experts, 3) + QStringList{"--out", out, "--set", "lr_lr=1"});
        QCOMPARE(stopped.code, 4);
        const QRegularExpression advice("e\\.g\\. (lr_floor=[0-9.e-]+)");
        const auto match = advice.match(stopped.err);
        QVERIFY2(match.hasMatch(), qPrintable(stopped.err));
        // The iteration that went negative, again with the advised floor: the lr stops there and
        // the final evaluation trains with it.
        const auto resumed = run_cli({"distill", "--resume", out, "--set", match.captured(1), "--iterations", "1",
                                      "--threads", "1", "--quiet"});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        QVERIFY2(resumed.out.contains("synthetic: "), qPrintable(resumed.out));
        QCOMPARE(read_checkpoint_info((out + "/checkpoint.dckpt").toStdString()).iteration, std::int64_t(1));
    }

    // 7. A misspelt key is refused with the nearest known one, from --set, a preset file or a
    // resume; every embedded preset passes the same check.
    void unknownKeysAreRefusedWithTheNearest() {
        for (const auto& name : preset_names()) validate_run_settings(load_preset(name));
        QCOMPARE(nearest_setting_key("syn_step"), std::string("syn_steps"));
        QCOMPARE(nearest_setting_key("LR_IMG"), std::string("lr_img"));
        auto r = run_cli({"eval", "--set", "syn_step=5"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("unknown setting 'syn_step'; did you mean 'syn_steps'?"), qPrintable(r.err));
        spit(file("typo.preset"), "include = quick\nexpert_epoch = 3\n");
        r = run_cli({"info", "--preset", path("typo.preset")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("typo.preset: unknown setting 'expert_epoch'; did you mean 'expert_epochs'?"), qPrintable(r.err));
        Settings s;
        s.set("lr_imgg", "5");
        expect_error([&] { validate_run_settings(s); }, {"unknown setting 'lr_imgg'", "did you mean 'lr_img'"});
    }

    // 8. Every value is checked before any work: nothing is trained, no folder made.
    void badValuesAreRefusedBeforeAnyWork() {
        const auto experts = path("never-made"), out = path("never-written");
        for (const QString bad : {"net_width=0", "net_depth=0", "num_eval=0", "batch_train=0", "train_epochs=-1", "zca=maybe"}) {
            const auto r = run_cli({"distill", "--set", bad, "--experts", experts, "--out", out, "--quiet"});
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(bad.section('=', 0, 0)), qPrintable(bad + ": " + r.err));
            QVERIFY(!QFileInfo::exists(experts) && !QFileInfo::exists(out));
        }
        const auto huge = run_cli({"distill", "--iterations", "99999999999999999999", "--out", out});
        QCOMPARE(huge.code, 2);
        QVERIFY2(huge.err.contains("--iterations needs a positive integer"), qPrintable(huge.err));
    }

    // 9. One run per folder: a second is refused naming the first, and the lock goes with the
    // process, however it ends.
    void aFolderTakesOneRunAtATime() {
        const auto dir = file("locked");
        {
            FolderLock first(dir, "the first run");
            expect_error([&] { FolderLock second(dir, "the second run"); },
                         {"in use by another run (the first run, process " + std::to_string(getpid())});
        }
        FolderLock again(dir, "after the first");

        DISTILLERY_REQUIRE_FASHION_MNIST();
        const auto experts = cli_experts();
        const auto out = path("busy");
        QProcess first;
        first.start(QStringLiteral(DISTILLERY_CLI), tiny_distill(experts, 1000000) + QStringList{"--out", out});
        QVERIFY(first.waitForStarted());
        QVERIFY(wait_for([&] { return !slurp((out + "/.distillery.lock").toStdString()).empty(); }, 60000));
        const auto second = run_cli(tiny_distill(experts, 2) + QStringList{"--out", out});
        QCOMPARE(second.code, 2);
        QVERIFY2(second.err.contains("in use by another run (distillery-cli distill, process " + QString::number(first.processId())),
                 qPrintable(second.err));
        first.kill();  // kill -9: the lock goes with it
        QVERIFY(first.waitForFinished(60000));
        FolderLock after_kill(out.toStdString(), "the test");
    }

    // 10. A folder that cannot take files is found out before any work.
    void unwritableOutputFolderIsRefusedFirst() {
        // Root writes through permissions, so a folder of the kernel's is the read-only one there.
        QString folder = "/proc/self";
        if (geteuid() != 0) {
            folder = path("read-only");
            QDir().mkpath(folder);
            QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::ExeOwner);
        }
        expect_error([&] { FolderLock lock(folder.toStdString(), "test"); }, {"cannot write into this folder"});
        DISTILLERY_REQUIRE_FASHION_MNIST();
        const auto experts = path("not-trained");
        const auto r = run_cli({"distill", "--experts", experts, "--out", folder, "--quiet"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(folder + ": cannot write into this folder"), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(experts));
    }

    // 11. A small gzip that inflates far beyond what its header declares stops at the declared size.
    void gzipBombStopsAtTheDeclaredSize() {
        auto write_gz = [](const std::string& path, const std::vector<std::uint32_t>& dims, std::int64_t zeros) {
            gzFile f = gzopen(path.c_str(), "wb9");
            std::string header{'\0', '\0', '\x08', static_cast<char>(dims.size())};
            for (auto d : dims)
                for (int shift = 24; shift >= 0; shift -= 8) header += static_cast<char>((d >> shift) & 0xFF);
            gzwrite(f, header.data(), static_cast<unsigned>(header.size()));
            const std::vector<char> block(1 << 20, 0);
            for (std::int64_t left = zeros; left > 0; left -= static_cast<std::int64_t>(block.size()))
                gzwrite(f, block.data(), static_cast<unsigned>(std::min<std::int64_t>(left, block.size())));
            gzclose(f);
        };
        // Ten images declared, 256 MiB inflated: refused at the declared 7,856 bytes.
        write_gz(file("bomb-images.gz"), {10, 28, 28}, std::int64_t(256) << 20);
        write_gz(file("labels.gz"), {10}, 10);
        QVERIFY(fs::file_size(file("bomb-images.gz")) < (1u << 20));
        expect_error([&] { read_idx(file("bomb-images.gz"), file("labels.gz"), "bomb", {}); },
                     {"bomb-images.gz", "unexpected bytes beyond the 7856 bytes its header declares"});
        // Two billion images declared in a few bytes: refused at the header.
        write_gz(file("huge-images.gz"), {2000000000u, 28, 28}, 1000);
        expect_error([&] { read_idx(file("huge-images.gz"), file("labels.gz"), "huge", {}); },
                     {"huge-images.gz", "truncated", "can hold even compressed"});
    }

    // Metrics as JSON are valid JSON whatever the values: non-finite numbers, text that looks
    // like a number, control characters, bytes that are not UTF-8.
    void metricsJsonIsValid() {
        MetricsLog log;
        log.add({{"kind", "step"}, {"loss", "-nan"}, {"lr", "inf"}, {"iteration", "3"}, {"seconds", "0.25"}});
        log.add({{"kind", "note\x01\"quoted\"\n"}, {"hex", "0x10"}, {"path", std::string("caf\xe9")}});
        log.write(file("m.json"));
        const auto parsed = nlohmann::json::parse(slurp(file("m.json")));
        QCOMPARE(parsed.size(), std::size_t(2));
        QVERIFY(parsed[0]["loss"].is_null() && parsed[0]["lr"].is_null());
        QCOMPARE(parsed[0]["iteration"].get<int>(), 3);
        QCOMPARE(parsed[0]["seconds"].get<double>(), 0.25);
        QCOMPARE(parsed[1]["kind"].get<std::string>(), std::string("note\x01\"quoted\"\n"));
        QCOMPARE(parsed[1]["hex"].get<std::string>(), std::string("0x10"));
        QVERIFY(parsed[1]["path"].is_string());
    }
};

QTEST_GUILESS_MAIN(TestHardEdges)
#include "tst_hard_edges.moc"
