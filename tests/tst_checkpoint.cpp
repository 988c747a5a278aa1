// Checkpoints and guards of a distillation run: a run saved and resumed continues bit for bit as
// the uninterrupted one (unrolled and exact gradients, hard, teacher and learned labels, with a
// pending change); torn, truncated and corrupt files are refused by name; a failed save leaves
// the previous checkpoint; and the guards roll a step back on a non-finite update, a learned lr
// that goes negative or runs away, and out of memory. Long runs also keep a flat resident size:
// memory the run has freed goes back to the system.
#include "common/torch_pch.h"

#include <QtTest>

#include <sys/resource.h>
#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "common/cpu_allocator.h"
#include "common/error.h"
#include "common/runtime.h"
#include "distill/checkpoint.h"
#include "distill/run.h"
#include "expert/expert_trainer.h"
#include "test_support.h"
#include "tiny_fixtures.h"

namespace fs = std::filesystem;
using namespace distillery;

namespace {

// This process's resident memory, in KiB (VmRSS in /proc/self/status).
long resident_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The file with a valid CRC-32 trailer again, so that the reader's field checks (not the
// checksum) are what must refuse it.
std::string with_valid_checksum(std::string bytes) {
    const auto crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size() - 4)));
    std::memcpy(bytes.data() + bytes.size() - 4, &crc, 4);
    return bytes;
}

// The message of the Error `f` throws; fails the test when it throws nothing or something else.
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

bool same_state(const DistillRunState& a, const DistillRunState& b) {
    auto same = [](const at::Tensor& x, const at::Tensor& y) {
        return x.defined() == y.defined() && (!x.defined() || (x.sizes() == y.sizes() && x.equal(y)));
    };
    return a.iteration == b.iteration && a.rng == b.rng && a.expert_order == b.expert_order &&
           a.expert_position == b.expert_position && same(a.images, b.images) && same(a.label_logits, b.label_logits) &&
           same(a.teacher_targets, b.teacher_targets) && a.lr == b.lr && same(a.images_opt.buffer, b.images_opt.buffer) &&
           same(a.lr_opt.buffer, b.lr_opt.buffer) && same(a.labels_opt.buffer, b.labels_opt.buffer) &&
           a.history.size() == b.history.size() && a.changes.size() == b.changes.size() && a.pending == b.pending;
}

}  // namespace

class TestCheckpoint : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::shared_ptr<PreparedData> data_;
    std::string experts_;

    std::string file(const std::string& name) const { return (fs::path(tmp_.path().toStdString()) / name).string(); }

    // Tiny: IPC 2 of 10 classes, 2 student steps, the one 3-epoch expert; lr_lr large enough that
    // the learned lr (and its momentum) visibly move.
    DistillConfig tiny(const std::string& method, GradientMode mode) const {
        auto c = fixtures::short_distill(method, 2, 2, 1, 2, 7);
        c.mode = mode;
        c.batch_syn = 10;
        c.expansion_end_epoch = 4;
        c.threshold = 1e9;
        c.lr_img = 100;
        c.lr_lr = 1e-4;
        return c;
    }

private Q_SLOTS:
    void initTestCase() {
        if (!distillery::test::have_fashion_mnist()) return;
        data_ = std::make_shared<PreparedData>(distillery::test::small_fashion_mnist(20, 200, 1));
        experts_ = file("experts");
        generate_experts(*data_, fixtures::expert_config(1, 3, 32, 8, 2), experts_);
    }

    void resumedRunContinuesBitForBit_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<int>("mode");
        QTest::newRow("mtt, unrolled") << "mtt" << int(GradientMode::Unrolled);
        QTest::newRow("mtt, exact") << "mtt" << int(GradientMode::Exact);
        QTest::newRow("tesla, teacher labels") << "tesla" << int(GradientMode::Tesla);
        QTest::newRow("datm, learned labels, exact") << "datm" << int(GradientMode::Exact);
    }
    void resumedRunContinuesBitForBit() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        QFETCH(QString, method);
        QFETCH(int, mode);
        const auto cfg = tiny(method.toStdString(), static_cast<GradientMode>(mode));
        const std::int64_t total = 6, saved_at = 3;

        DistillRun uninterrupted(data_, experts_, cfg);
        DistillRun first_half(data_, experts_, cfg);
        for (std::int64_t i = 0; i < saved_at; ++i) {
            QVERIFY(uninterrupted.step().guard.empty());
            QVERIFY(first_half.step().guard.empty());
        }
        // A change accepted but not yet applied travels with the checkpoint.
        QVERIFY(uninterrupted.set("syn_steps", "3").empty());
        QVERIFY(first_half.set("syn_steps", "3").empty());
        const auto path = file("resume-" + std::to_string(mode) + method.toStdString() + ".dckpt");
        save_checkpoint(first_half, "dataset = fashion-mnist\nipc = 2\n", experts_, path);
        QVERIFY(same_state(first_half.export_state(), uninterrupted.export_state()));

        const auto info = read_checkpoint_info(path);
        QCOMPARE(info.iteration, saved_at);
        QCOMPARE(info.experts_dir, experts_);
        QCOMPARE(info.dataset, std::string("fashion-mnist"));
        QCOMPARE(info.settings_text, std::string("dataset = fashion-mnist\nipc = 2\n"));

        const auto resumed = resume_run(path, data_);
        QVERIFY(same_state(resumed->export_state(), first_half.export_state()));
        QCOMPARE(resumed->config().get("lr_lr"), cfg.get("lr_lr"));
        for (std::int64_t i = saved_at; i < total; ++i) {
            const auto a = uninterrupted.step(), b = resumed->step();
            QVERIFY(a.guard.empty() && b.guard.empty());
            QCOMPARE(b.iteration, a.iteration);
            QCOMPARE(b.expert, a.expert);
            QCOMPARE(b.start_epoch, a.start_epoch);
            QCOMPARE(b.loss, a.loss);  // bit for bit, not approximately
            QCOMPARE(b.syn_steps, std::int64_t(3));
        }
        QVERIFY(uninterrupted.images().equal(resumed->images()));
        QCOMPARE(resumed->lr(), uninterrupted.lr());
        QVERIFY(uninterrupted.lr() != cfg.lr_teacher);  // the learned lr moved, so its state mattered
        QVERIFY(uninterrupted.label_targets().equal(resumed->label_targets()));
        QVERIFY(same_state(resumed->export_state(), uninterrupted.export_state()));
        QCOMPARE(resumed->history().size(), size_t(total));
        QCOMPARE(resumed->changes().size(), size_t(1));
        QCOMPARE(resumed->changes()[0].iteration, saved_at);
    }

    void corruptFilesAreRefusedByName() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        DistillRun run(data_, experts_, tiny("datm", GradientMode::Exact));
        run.step();
        const auto good = file("good.dckpt");
        save_checkpoint(run, "dataset = fashion-mnist\n", experts_, good);
        const auto bytes = slurp(good);
        const auto bad = file("bad.dckpt");
        auto refused = [&](const std::string& content) {
            spit(bad, content);
            return error_of([&] { read_checkpoint_info(bad); });
        };
        auto says = [](const std::string& message, const char* what) {
            return message.find("bad.dckpt") != std::string::npos && message.find(what) != std::string::npos;
        };
        QVERIFY2(says(refused(bytes.substr(0, bytes.size() - 1)), "truncated checkpoint"), "cut by a byte");
        QVERIFY2(says(refused(bytes.substr(0, bytes.size() / 2)), "truncated checkpoint"), "cut in half");
        QVERIFY2(says(refused(bytes.substr(0, 20)), "truncated"), "cut in the header");
        QVERIFY2(says(refused(""), "not a Distillery checkpoint"), "empty");
        QVERIFY2(says(refused(bytes + "x"), "trailing bytes"), "padded");
        std::string flipped = bytes;
        flipped[bytes.size() / 2] ^= 0x10;
        QVERIFY2(says(refused(flipped), "checksum does not match"), "one bit flipped");
        std::string magic = bytes;
        magic[3] = 'X';
        QVERIFY2(says(refused(magic), "not a Distillery checkpoint"), "bad magic");
        QVERIFY(error_of([&] { read_checkpoint_info(file("missing.dckpt")); }).find("no checkpoint file") != std::string::npos);
        QVERIFY(error_of([&] { resume_run(file("missing.dckpt"), data_); }).find("missing.dckpt") != std::string::npos);

        // Valid checksums over damaged fields: every length and shape is checked, so random
        // damage is refused with an Error or read as other numbers, never a crash or an absurd
        // allocation. resume_run checks what the reader cannot: shapes against the data.
        std::mt19937_64 random(11);
        std::uint32_t header_length = 0;
        std::memcpy(&header_length, bytes.data() + 8, 4);
        const std::size_t payload_start = 12 + header_length;
        int refusals = 0;
        for (int trial = 0; trial < 300; ++trial) {
            std::string damaged = bytes;
            // Half the trials hit the lengths, counts and texts before the tensors.
            const auto span = trial % 2 == 0 ? std::min<std::size_t>(12000, bytes.size() - 4 - payload_start)
                                             : bytes.size() - 4 - payload_start;
            const int edits = 1 + static_cast<int>(random() % 4);
            for (int e = 0; e < edits; ++e) {
                const auto at = payload_start + random() % span;
                damaged[at] = static_cast<char>(random() & 0xff);
            }
            spit(bad, with_valid_checksum(damaged));
            try {
                resume_run(bad, data_);
            } catch (const Error& e) {
                ++refusals;
                QVERIFY2(std::string(e.what()).find("bad.dckpt") != std::string::npos, e.what());
            }
        }
        qInfo("%d of 300 randomly damaged checkpoints (valid checksums) refused", refusals);
        QVERIFY(refusals > 0);
        // A length field far beyond the file: refused before allocating.
        std::string huge = bytes;
        const std::uint32_t absurd = 0xfffffff0u;
        std::memcpy(huge.data() + payload_start, &absurd, 4);  // the settings text's length
        spit(bad, with_valid_checksum(huge));
        const auto absurd_length = error_of([&] { read_checkpoint_info(bad); });
        QVERIFY2(absurd_length.find("'settings' runs past the end") != std::string::npos, absurd_length.c_str());
        // Data of another data set is refused.
        auto other = std::make_shared<PreparedData>(*data_);
        other->name = "mnist";
        QVERIFY(error_of([&] { resume_run(good, other); }).find("was made on fashion-mnist") != std::string::npos);
    }

    void failedSaveKeepsThePreviousCheckpoint() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        DistillRun run(data_, experts_, tiny("mtt", GradientMode::Exact));
        run.step();
        const auto path = file("kept.dckpt");
        save_checkpoint(run, "", experts_, path);
        const auto before = slurp(path);
        run.step();
        // A folder under a regular file cannot exist, whoever runs the test (root included).
        std::ofstream(file("plain")) << "a file";
        const auto nowhere = error_of([&] { save_checkpoint(run, "", experts_, file("plain/sub/x.dckpt")); });
        QVERIFY2(nowhere.find("plain/sub/x.dckpt: cannot write") != std::string::npos, nowhere.c_str());
        // A full disk: the temporary file is /dev/full, where every write fails with ENOSPC.
        fs::create_symlink("/dev/full", path + ".tmp");
        const auto full = error_of([&] { save_checkpoint(run, "", experts_, path); });
        QVERIFY2(full.find("disk full") != std::string::npos && full.find("kept.dckpt") != std::string::npos, full.c_str());
        QVERIFY(!fs::exists(fs::symlink_status(path + ".tmp")));
        QVERIFY(slurp(path) == before);
        QCOMPARE(read_checkpoint_info(path).iteration, std::int64_t(1));
        // A temporary name that cannot be opened (here a folder) fails the same way.
        fs::create_directory(path + ".tmp");
        QVERIFY(error_of([&] { save_checkpoint(run, "", experts_, path); }).find("cannot write") != std::string::npos);
        QVERIFY(slurp(path) == before);
        fs::remove(path + ".tmp");
        save_checkpoint(run, "", experts_, path);
        QCOMPARE(read_checkpoint_info(path).iteration, std::int64_t(2));
    }

    void overflowingImagesAreRolledBack() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        // lr_img so large that the update overflows float32: the images would become Inf/NaN.
        auto cfg = tiny("mtt", GradientMode::Exact);
        cfg.lr_img = 1e300;
        DistillRun run(data_, experts_, cfg);
        const auto before = run.export_state();
        const auto rec = run.step();
        qInfo("guard: %s", rec.guard.c_str());
        QVERIFY2(rec.guard.find("synthetic images infinite or NaN") != std::string::npos, rec.guard.c_str());
        QVERIFY(rec.guard.find("lower lr_img") != std::string::npos);
        QCOMPARE(rec.iteration, std::int64_t(0));
        QVERIFY(!rec.updated);
        QVERIFY(same_state(run.export_state(), before));
        QCOMPARE(run.iteration(), std::int64_t(0));
        QVERIFY(run.history().empty());
        // What the message suggests works, and the run goes on exactly as one that had the good
        // value from the start: the rollback restored everything, the random stream included.
        QVERIFY(run.set("lr_img", "100").empty());
        auto good = cfg;
        good.lr_img = 100;
        DistillRun reference(data_, experts_, good);
        for (int i = 0; i < 3; ++i) {
            QVERIFY(run.step().guard.empty());
            reference.step();
        }
        QVERIFY(run.images().equal(reference.images()));
        QCOMPARE(run.lr(), reference.lr());
        QCOMPARE(run.changes().size(), size_t(1));
        QCOMPARE(run.changes()[0].iteration, std::int64_t(0));
    }

    void nonFiniteLossIsRolledBack() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        // A student lr of 1e30 throws the student's parameters to Inf: the loss is not finite.
        auto cfg = tiny("mtt", GradientMode::Unrolled);
        cfg.lr_teacher = 1e30;
        DistillRun run(data_, experts_, cfg);
        const auto before = run.export_state();
        const auto rec = run.step();
        qInfo("guard: %s", rec.guard.c_str());
        QVERIFY2(rec.guard.find("matching loss or its gradient is not finite") != std::string::npos, rec.guard.c_str());
        QVERIFY(same_state(run.export_state(), before));
        QCOMPARE(run.iteration(), std::int64_t(0));
    }

    void negativeLearnedLrIsRolledBack() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        // A student lr 20x the experts' overshoots, so the loss grows with it and its gradient is
        // positive; a huge lr_lr then steps it below zero.
        auto cfg = tiny("mtt", GradientMode::Exact);
        cfg.lr_teacher = 0.2;
        cfg.lr_lr = 1e3;
        DistillRun run(data_, experts_, cfg);
        const auto before = run.export_state();
        const auto rec = run.step();
        qInfo("guard: %s", rec.guard.c_str());
        QVERIFY2(rec.grad_lr > 0, qPrintable(QString::number(rec.grad_lr)));
        QVERIFY2(rec.guard.find("learned lr went negative") != std::string::npos, rec.guard.c_str());
        QVERIFY(rec.guard.find("lr_floor") != std::string::npos);
        QVERIFY(same_state(run.export_state(), before));
        QCOMPARE(rec.lr, 0.2);
        // The floor keeps alpha at zero or above, so the guard lets the step through.
        QVERIFY(run.set("lr_floor", "0.001").empty());
        const auto floored = run.step();
        QVERIFY2(floored.guard.empty(), floored.guard.c_str());
        QCOMPARE(run.lr(), 0.001);
    }

    void runawayLearnedLrIsRolledBack() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        // A student lr far below the experts' undershoots: the gradient is negative, the lr grows.
        auto cfg = tiny("mtt", GradientMode::Exact);
        cfg.lr_teacher = 0.001;
        cfg.lr_lr = 10;
        DistillRun run(data_, experts_, cfg);
        const auto rec = run.step();
        qInfo("guard: %s", rec.guard.c_str());
        QVERIFY2(rec.grad_lr < 0, qPrintable(QString::number(rec.grad_lr)));
        QVERIFY2(rec.guard.find("learned lr ran away") != std::string::npos, rec.guard.c_str());
        QVERIFY(rec.guard.find("auto: 1000 x lr_teacher") != std::string::npos);
        QCOMPARE(run.iteration(), std::int64_t(0));
        QCOMPARE(run.lr(), 0.001);
        QVERIFY(run.set("lr_max", "inf").empty());
        QVERIFY(run.step().guard.empty());
        QVERIFY(run.lr() > 1.0);
        QVERIFY(!run.set("lr_max", "-1").empty());
        QVERIFY(!run.set("lr_max", "0.0001").empty());  // below lr_teacher
        QCOMPARE(cfg.get("lr_max"), std::string("auto"));
    }

    void outOfMemoryIsRolledBackWithAdvice() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        // Real exhaustion: the address space is capped a little above what the process uses
        // now, and an unrolled gradient through many steps needs far more.
        auto cfg = tiny("mtt", GradientMode::Unrolled);
        cfg.ipc = 10;
        cfg.batch_syn = 0;
        cfg.syn_steps = 4000;
        DistillRun run(data_, experts_, cfg);
        const auto before = run.export_state();
        rlimit old{};
        QVERIFY(getrlimit(RLIMIT_AS, &old) == 0);
        std::ifstream status("/proc/self/status");
        std::int64_t vm_kb = 0;
        for (std::string line; std::getline(status, line);)
            if (line.rfind("VmSize:", 0) == 0) vm_kb = std::stoll(line.substr(7));
        QVERIFY(vm_kb > 0);
        rlimit capped = old;
        capped.rlim_cur = static_cast<rlim_t>(vm_kb + 512 * 1024) * 1024;
        if (old.rlim_cur != RLIM_INFINITY && old.rlim_cur <= capped.rlim_cur)
            QSKIP("the address space is already limited here");
        QVERIFY(setrlimit(RLIMIT_AS, &capped) == 0);
        StepRecord rec;
        try {
            rec = run.step();
        } catch (...) {
            setrlimit(RLIMIT_AS, &old);
            throw;
        }
        QVERIFY(setrlimit(RLIMIT_AS, &old) == 0);
        qInfo("guard: %s", rec.guard.c_str());
        QVERIFY2(rec.guard.find("out of memory") != std::string::npos, rec.guard.c_str());
        QVERIFY(rec.guard.find("batch_syn") != std::string::npos && rec.guard.find("gradient_mode=exact") != std::string::npos);
        QVERIFY(same_state(run.export_state(), before));
        // With the advice taken, the same step runs.
        QVERIFY(run.set("syn_steps", "2").empty());
        QVERIFY(run.step().guard.empty());
    }

    // Freed memory that glibc keeps (below a block still in use, so never trimmed from the top of
    // the heap) goes back to the system: what kept the soak benchmark's resident size flat.
    void freedMemoryGoesBackToTheSystem() {
#if !defined(__GLIBC__)
        QSKIP("release_free_memory() only does something with glibc's malloc");
#else
        if (resident_kib() < 0) QSKIP("no /proc/self/status");
        constexpr int kBlocks = 64 * 1024, kBlockBytes = 1024;  // 64 MiB in small blocks
        std::vector<char*> blocks(kBlocks);
        for (auto& b : blocks) {
            b = static_cast<char*>(std::malloc(kBlockBytes));
            std::memset(b, 1, kBlockBytes);  // resident, not just reserved
        }
        char* pin = static_cast<char*>(std::malloc(kBlockBytes));  // above them: the heap cannot shrink
        std::memset(pin, 1, kBlockBytes);
        for (auto* b : blocks) std::free(b);
        const long kept = resident_kib();
        release_free_memory();
        const long released = resident_kib();
        std::free(pin);
        QVERIFY2(kept - released > 32 * 1024, qPrintable(QString("resident %1 KiB before, %2 KiB after").arg(kept).arg(released)));
#endif
    }

    // A freed tensor's block is kept and handed to the next tensor of its size (no fresh pages to
    // fault in); a block nobody took between two releases goes back to the system.
    void freedTensorBlocksAreReusedThenGivenBack() {
#if !defined(__linux__)
        QSKIP("the CPU allocator keeps blocks only on Linux");
#else
        if (resident_kib() < 0) QSKIP("no /proc/self/status");
        install_cpu_allocator();
        release_free_memory(/*all_cached=*/true);
        QCOMPARE(cpu_cached_bytes(), std::int64_t(0));
        const std::int64_t bytes = std::int64_t(64) << 20;
        const auto live_before = cpu_tensor_bytes();
        void* first = nullptr;
        {
            auto t = torch::ones({bytes / 4}, torch::kFloat32);  // touched: resident
            first = t.data_ptr();
            QCOMPARE(cpu_tensor_bytes() - live_before, bytes);
        }
        QCOMPARE(cpu_tensor_bytes(), live_before);
        QCOMPARE(cpu_cached_bytes(), bytes);
        {
            auto t = torch::zeros({bytes / 4}, torch::kFloat32);
            QCOMPARE(t.data_ptr(), first);  // the same block again
            QCOMPARE(t.sum().item<double>(), 0.0);  // and zeros are zeros on a reused block
            QCOMPARE(cpu_cached_bytes(), std::int64_t(0));
        }
        release_free_memory();  // taken since the last release: kept
        QCOMPARE(cpu_cached_bytes(), bytes);
        const long kept = resident_kib();
        release_free_memory();  // not taken since: given back
        const long released = resident_kib();
        QCOMPARE(cpu_cached_bytes(), std::int64_t(0));
        QVERIFY2(kept - released > 48 * 1024, qPrintable(QString("resident %1 KiB before, %2 KiB after").arg(kept).arg(released)));
#endif
    }
};

QTEST_APPLESS_MAIN(TestCheckpoint)
#include "tst_checkpoint.moc"
