// The distillation engine: exact == unrolled, TESLA's closed form, the run object (hyperparameter
// changes, DATM's window and threshold, labels), and short runs that lower the matching loss.
#include "common/torch_pch.h"

#include <QtTest>

#include <dlfcn.h>

#include <clocale>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "common/error.h"
#include "common/message.h"
#include "common/metrics_log.h"
#include "common/numbers.h"
#include "common/runtime.h"
#include "distill/datm.h"
#include "distill/matching.h"
#include "distill/run.h"
#include "distill/student_loss.h"
#include "distill/synthetic_set.h"
#include "expert/expert_trainer.h"
#include "test_support.h"
#include "tiny_fixtures.h"

namespace fs = std::filesystem;
using namespace distillery;

namespace {

double relative_error(const at::Tensor& a, const at::Tensor& b) {
    return (a - b).norm().item<double>() / std::max(b.norm().item<double>(), 1e-300);
}

// A tiny float64 problem: 6 images of 1x8x8, 3 classes, a ConvNet of width 4 and depth 2.
struct TinyProblem {
    ConvNet net{fixtures::convnet_spec(1, 8, 8, 3, 4, 2)};
    Dsa dsa{"color_crop_cutout_flip_scale_rotate"};
    MatchProblem p;

    TinyProblem(std::uint64_t seed, LabelMode labels, std::int64_t steps = 5) {
        torch::manual_seed(static_cast<std::int64_t>(seed));
        Rng rng(seed);
        const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
        p.net = &net;
        p.dsa = &dsa;
        p.images = torch::randn({6, 1, 8, 8}, opts);
        p.start = net.initial_parameters(rng).to(torch::kFloat64);
        p.target = p.start + 0.05 * torch::randn({net.num_params()}, opts);
        p.lr = 0.3;
        const auto hard = torch::tensor({0, 1, 2, 0, 1, 2}, torch::kInt64);
        if (labels == LabelMode::Hard) p.labels.targets = hard;
        if (labels == LabelMode::Teacher) p.labels.targets = torch::softmax(torch::randn({6, 3}, opts), 1);
        if (labels == LabelMode::Learned) p.labels.logits = torch::randn({6, 3}, opts);
        p.steps = plan_student_steps(6, steps, 4, dsa, 8, 8, rng, torch::kCPU);
    }
};

// TESLA's released computation (spec 7.1-7.2), written out as its code does it.
MatchGradients tesla_closed_form(const MatchProblem& p) {
    std::vector<at::Tensor> thetas;
    at::Tensor theta = p.start, sum = torch::zeros_like(p.start);
    for (const auto& step : p.steps) {
        thetas.push_back(theta);
        const auto leaf = theta.detach().requires_grad_(true);
        const auto logits = p.labels.learned() ? p.labels.logits.index_select(0, step.indices) : at::Tensor();
        const auto g = torch::autograd::grad(
            {student_step_loss(p, step, p.images.index_select(0, step.indices), logits, leaf)}, {leaf})[0];
        sum += g;
        theta = theta - p.lr * g;
    }
    const auto D = (p.start - p.target).pow(2).sum();
    const auto v = p.lr * (p.target - p.start) + p.lr * p.lr * sum;
    MatchGradients out;
    out.images = torch::zeros_like(p.images);
    for (size_t i = 0; i < p.steps.size(); ++i) {
        const auto& step = p.steps[i];
        const auto raw = p.images.index_select(0, step.indices).requires_grad_(true);
        const auto leaf = thetas[i].detach().requires_grad_(true);
        const auto g = torch::autograd::grad({student_step_loss(p, step, raw, at::Tensor(), leaf)}, {leaf}, {}, true, true)[0];
        const auto s = 2.0 * (v * g).sum() / D;
        out.images.index_add_(0, step.indices, torch::autograd::grad({s}, {raw})[0]);
    }
    const auto alpha = torch::full({}, p.lr, p.start.options()).requires_grad_(true);
    const auto grand = (p.start - alpha * sum - p.target).pow(2).sum() / D;
    out.lr = torch::autograd::grad({grand}, {alpha})[0].item<double>();
    out.loss = grand.item<double>();
    return out;
}

}  // namespace

class TestDistill : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::shared_ptr<PreparedData> fashion_;
    std::string experts_;

    DistillConfig short_run(const std::string& method) const {
        // max_start_epoch 1: always start at epoch 0 of the one expert, a fixed target.
        auto c = fixtures::short_distill(method, 2, 8, 2, 1, 4);
        c.lr_img = 300;
        c.lr_lr = 1e-5;
        c.lr_y = 2;
        return c;
    }

private Q_SLOTS:
    void initTestCase() {
        if (!distillery::test::have_fashion_mnist()) return;
        fashion_ = std::make_shared<PreparedData>(distillery::test::small_fashion_mnist(50, 500, 1));
        // Experts good enough (about 70% test accuracy) for their soft labels to carry information.
        auto e = fixtures::expert_config(1, 6, 32, 16, 2);
        e.lr = 0.02;
        experts_ = (fs::path(tmp_.path().toStdString()) / "experts").string();
        generate_experts(*fashion_, e, experts_);
    }

    void exactEqualsUnrolled_data() {
        QTest::addColumn<int>("labels");
        QTest::addColumn<int>("seed");
        QTest::addColumn<int>("steps");
        for (int seed : {1, 2, 3}) {
            QTest::newRow(("hard " + std::to_string(seed)).c_str()) << int(LabelMode::Hard) << seed << 5;
            QTest::newRow(("teacher " + std::to_string(seed)).c_str()) << int(LabelMode::Teacher) << seed << 5;
            QTest::newRow(("learned " + std::to_string(seed)).c_str()) << int(LabelMode::Learned) << seed << 5;
        }
        // The exact mode's segments: one step; every vector kept (N up to the budget of 16); one
        // recomputed segment (17); several, the first the longest (40).
        for (int steps : {1, 7, 16, 17, 40})
            QTest::newRow(("hard, N = " + std::to_string(steps)).c_str()) << int(LabelMode::Hard) << 1 << steps;
    }
    void exactEqualsUnrolled() {
        QFETCH(int, labels);
        QFETCH(int, seed);
        QFETCH(int, steps);
        TinyProblem t(static_cast<std::uint64_t>(seed), static_cast<LabelMode>(labels), steps);
        const auto unrolled = match_unrolled(t.p);
        const auto exact = match_adjoint(t.p, /*exact=*/true);
        QVERIFY(unrolled.images.abs().max().item<double>() > 0);
        QVERIFY(std::abs(exact.loss - unrolled.loss) <= 1e-12 * unrolled.loss);
        QVERIFY2(relative_error(exact.images, unrolled.images) <= 1e-9,
                 qPrintable(QString::number(relative_error(exact.images, unrolled.images))));
        QVERIFY2(std::abs(exact.lr - unrolled.lr) <= 1e-9 * std::abs(unrolled.lr),
                 qPrintable(QString("%1 vs %2").arg(exact.lr).arg(unrolled.lr)));
        if (labels == int(LabelMode::Learned)) {
            QVERIFY(unrolled.logits.abs().max().item<double>() > 0);
            QVERIFY(relative_error(exact.logits, unrolled.logits) <= 1e-9);
        }
    }

    void exactModeKeepsItsVectorBudget() {
        // While segment j is visited, the starts of segments 0..j and its len_j - 1 recomputed
        // vectors are alive; every step not at a start is recomputed once.
        for (std::size_t budget : {1, 4, 16}) {
            for (std::size_t n = 0; n <= 300; ++n) {
                const auto starts = adjoint_segment_starts(n, budget);
                std::size_t b = budget;
                while (b * (b + 1) / 2 < n) ++b;  // the least budget that can cover n steps
                QCOMPARE(starts.size(), std::min(n, b));
                if (n == 0) continue;
                QCOMPARE(starts.front(), std::size_t(0));
                std::size_t peak = 0;
                for (std::size_t j = 0; j < starts.size(); ++j) {
                    const auto end = j + 1 < starts.size() ? starts[j + 1] : n;
                    QVERIFY(end > starts[j]);
                    peak = std::max(peak, j + (end - starts[j]));
                }
                QVERIFY2(peak <= b, qPrintable(QString("N %1, budget %2: %3 vectors").arg(n).arg(b).arg(peak)));
            }
        }
        // The benchmarks' cases: nothing recomputed at N = 10, 4 steps at N = 20, 64 at N = 80.
        QCOMPARE(adjoint_segment_starts(10, kAdjointVectorBudget).size(), std::size_t(10));
        QCOMPARE(adjoint_segment_starts(20, kAdjointVectorBudget).size(), std::size_t(16));
        QCOMPARE(adjoint_segment_starts(80, kAdjointVectorBudget).size(), std::size_t(16));
        QCOMPARE(adjoint_segment_starts(200, kAdjointVectorBudget).size(), std::size_t(20));
    }

    void teslaMatchesItsClosedFormAndDiffersFromUnrolled() {
        double worst_cos = 1, worst_diff = 0;
        for (std::uint64_t seed : {1, 2, 3}) {
            TinyProblem t(seed, LabelMode::Hard, 8);
            const auto tesla = match_adjoint(t.p, /*exact=*/false);
            const auto closed = tesla_closed_form(t.p);
            QVERIFY(relative_error(tesla.images, closed.images) <= 1e-10);
            QVERIFY(std::abs(tesla.lr - closed.lr) <= 1e-10 * std::abs(closed.lr));
            QVERIFY(std::abs(tesla.loss - closed.loss) <= 1e-12);
            const auto unrolled = match_unrolled(t.p);
            const double diff = relative_error(tesla.images, unrolled.images);
            const double cos = torch::cosine_similarity(tesla.images.flatten(), unrolled.images.flatten(), 0).item<double>();
            worst_diff = std::max(worst_diff, diff);
            worst_cos = std::min(worst_cos, cos);
            // First-order: close to the exact gradient at this small lr, but not equal to it.
            QVERIFY2(diff > 1e-6, qPrintable(QString::number(diff)));
            QVERIFY(std::abs(tesla.lr - unrolled.lr) > 1e-9 * std::abs(unrolled.lr));
        }
        qInfo("TESLA vs unrolled image gradient (8 steps, lr 0.3): largest relative difference %.3g, smallest cosine %.6f",
              worst_diff, worst_cos);
    }

    void studentPlanFollowsMttBatchOrder() {
        Rng rng(5);
        const Dsa none("none");
        const auto plan = plan_student_steps(10, 4, 4, none, 8, 8, rng, torch::kCPU);
        // randperm(10) split into 4, 4, 2; chunks taken from the end: 2, 4, 4, then a new permutation.
        QCOMPARE(plan[0].indices.size(0), std::int64_t(2));
        QCOMPARE(plan[1].indices.size(0), std::int64_t(4));
        QCOMPARE(plan[2].indices.size(0), std::int64_t(4));
        auto first_three = torch::cat({plan[0].indices, plan[1].indices, plan[2].indices});
        QVERIFY(std::get<0>(first_three.sort()).equal(torch::arange(10, torch::kInt64)));
        QVERIFY(!plan[0].augmented);
        const auto all = plan_student_steps(10, 2, 0, Dsa("color"), 8, 8, rng, torch::kCPU);
        QCOMPARE(all[1].indices.size(0), std::int64_t(10));
        QVERIFY(all[1].augmented);
    }

    void datmWindowGrowsLinearly() {
        DistillConfig c;
        c.sequential_generation = true;
        c.min_start_epoch = 0;
        c.current_max_start_epoch = 10;
        c.max_start_epoch = 20;
        c.expansion_end_epoch = 1000;
        QCOMPARE(start_epoch_upper_bound(c, 0), std::int64_t(10));
        QCOMPARE(start_epoch_upper_bound(c, 500), std::int64_t(15));
        QCOMPARE(start_epoch_upper_bound(c, 999), std::int64_t(19));
        QCOMPARE(start_epoch_upper_bound(c, 5000), std::int64_t(20));
        c.min_start_epoch = 3;
        Rng rng(1);
        std::int64_t lo = 100, hi = -1;
        for (int i = 0; i < 2000; ++i) {
            const auto e = sample_start_epoch(c, 0, rng);
            lo = std::min(lo, e);
            hi = std::max(hi, e);
        }
        QCOMPARE(lo, std::int64_t(3));
        QCOMPARE(hi, std::int64_t(9));
        c.sequential_generation = false;
        QCOMPARE(start_epoch_upper_bound(c, 0), std::int64_t(20));
    }

    void configValidatesAndPresetsLoad() {
        DistillConfig c;
        QCOMPARE(QString::fromStdString(c.apply("lr_img", "-5")), QString("lr_img must be positive"));
        QCOMPARE(c.lr_img, 1000.0);  // unchanged
        QVERIFY(!c.apply("gradient_mode", "sideways").empty());
        QVERIFY(c.apply("gradient_mode", "exact").empty());
        QCOMPARE(c.mode, GradientMode::Exact);
        QVERIFY(!c.apply("syn_steps", "ten").empty());
        QVERIFY(!c.apply("no_such_key", "1").empty());
        QVERIFY(c.apply("threshold", "inf").empty());
        for (const auto& name : preset_names()) {
            const auto s = load_preset(name);
            if (!s.has("method")) continue;
            const auto cfg = DistillConfig::from_settings(s, s.text("dataset"));
            QVERIFY2(cfg.validate().empty(), name.c_str());
        }
        const auto datm = DistillConfig::from_settings(Settings::parse("method = datm", "t"), "cifar10");
        QCOMPARE(datm.labels, LabelMode::Learned);
        QCOMPARE(datm.init, ImageInit::Correct);
        QVERIFY(datm.sequential_generation);
        const auto tesla = DistillConfig::from_settings(Settings::parse("method = tesla", "t"), "cifar10");
        QCOMPARE(tesla.mode, GradientMode::Tesla);
        QCOMPARE(tesla.labels, LabelMode::Teacher);
    }

    // Values a person types get a sane range; a method switched on a preset made for another one
    // still gives a valid DATM window.
    void settingsHaveSaneBoundsAndDatmAValidWindow() {
        DistillConfig c;
        QCOMPARE(QString::fromStdString(c.apply("syn_steps", "100000000")),
                 QString("syn_steps must lie between 1 and 10000, not 100000000"));
        QCOMPARE(c.syn_steps, std::int64_t(20));
        QVERIFY(c.apply("syn_steps", "10000").empty());
        QVERIFY(!c.apply("Iteration", "99999999999999999999").empty());  // beyond 64 bits
        QVERIFY(!c.apply("Iteration", "100000000").empty());
        QVERIFY(!c.apply("lr_img", "1e300").empty());
        QVERIFY(!c.apply("expert_epochs", "0").empty());
        QVERIFY(!c.apply("batch_syn", "-1").empty());
        QVERIFY(!c.apply("lr_lr", "nan").empty());
        QVERIFY(!c.apply("lr_img", "0x10").empty());
        for (const auto& name : preset_names()) {
            auto s = load_preset(name);
            if (!s.has("method")) continue;
            s.set("method", "datm");
            const auto cfg = DistillConfig::from_settings(s, s.text("dataset"));
            QVERIFY2(cfg.current_max_start_epoch > cfg.min_start_epoch && cfg.current_max_start_epoch <= cfg.max_start_epoch, name.c_str());
        }
        auto quick = load_preset("quick");
        quick.set("method", "datm");
        const auto datm = DistillConfig::from_settings(quick, "fashion-mnist");
        QCOMPARE(datm.current_max_start_epoch, std::int64_t(2));  // quick: max_start_epoch = 4
        QCOMPARE(datm.expansion_end_epoch, datm.iterations / 2);
    }

    // Each cpu-hour preset's hour counts the experts it trains: IPC 10 takes cpu-hour's full-set
    // experts, IPC 50 trains five of them for 11 epochs to match from later starts, IPC 1 trains
    // its own slice experts (docs/results.md says why); none may take another's folder or the quick
    // preset's. Every start epoch's target lies in the experts' epochs, and IPC 10's and 50's
    // experts, a third of their hour, train no epoch after the last target; 5 evaluation networks.
    void cpuHourPresetsAndTheirExperts() {
        const auto ipc10 = default_experts_dir(load_preset("cpu-hour-ipc10"));
        const auto ipc50 = default_experts_dir(load_preset("cpu-hour-ipc50"));
        const auto slice = default_experts_dir(load_preset("cpu-hour-ipc1"));
        QCOMPARE(QString::fromStdString(ipc10), QString::fromStdString(default_experts_dir(load_preset("cpu-hour"))));
        const std::set<std::string> folders{ipc10, ipc50, slice, default_experts_dir(load_preset("quick"))};
        QCOMPARE(folders.size(), std::size_t(4));
        QCOMPARE(load_preset("cpu-hour-ipc10").integer("num_experts", 0), std::int64_t(14));
        QCOMPARE(load_preset("cpu-hour-ipc50").integer("num_experts", 0), std::int64_t(5));
        QCOMPARE(load_preset("cpu-hour-ipc50").integer("train_epochs", 0), std::int64_t(11));
        std::int64_t ipc_seen = 0;
        for (const char* name : {"cpu-hour-ipc1", "cpu-hour-ipc10", "cpu-hour-ipc50"}) {
            const auto s = load_preset(name);
            const auto cfg = DistillConfig::from_settings(s, s.text("dataset"));
            const auto last_target = cfg.max_start_epoch - 1 + cfg.expert_epochs;  // starts lie below max_start_epoch
            QVERIFY2(last_target <= s.integer("train_epochs", 0), name);
            // IPC 10's and 50's experts train no epoch that no target reads.
            if (cfg.ipc >= 10) QCOMPARE(last_target, s.integer("train_epochs", 0));
            QCOMPARE(s.integer("num_eval", 0), std::int64_t(5));
            QCOMPARE(s.integer("train_per_class", -1), std::int64_t(cfg.ipc == 1 ? 1000 : 0));
            ipc_seen += cfg.ipc;
        }
        QCOMPARE(ipc_seen, std::int64_t(1 + 10 + 50));
    }

    // A German desktop's C locale reads "0.01" as 0 with strtod; the engine's numbers do not depend on it.
    void numbersReadAndWriteTheSameInAGermanLocale() {
        const std::string saved = setlocale(LC_ALL, nullptr);
        QVERIFY2(setlocale(LC_ALL, "de_DE.UTF-8") != nullptr, "the de_DE.UTF-8 locale is not installed (scripts/setup-debian.sh)");
        QCOMPARE(std::strtod("0.5", nullptr), 0.0);  // the trap
        QCOMPARE(*parse_double("0.01"), 0.01);
        QVERIFY(!parse_double("0,01"));
        QVERIFY(!parse_double("1e999"));
        QVERIFY(!parse_double(" 1"));
        QCOMPARE(*parse_int("+12"), std::int64_t(12));
        QVERIFY(!parse_int("12a"));
        QVERIFY(!parse_int("99999999999999999999"));
        QCOMPARE(Settings::parse("lr = 0.01", "t").number("lr"), 0.01);
        DistillConfig c;
        QVERIFY(c.apply("lr_lr", "0.00002").empty());
        QCOMPARE(c.lr_lr, 2e-5);
        QCOMPARE(*parse_double(c.get("lr_lr")), 2e-5);
        QCOMPARE(number(0.5), std::string("0.5"));
        QCOMPARE(format_double(0.1), std::string("0.1"));
        setlocale(LC_ALL, saved.c_str());
    }

    void engineRefusalsGoThroughTheInstalledTranslator() {
        set_message_translator([](const char* format) -> std::string {
            return std::string(format) == "{1} must be positive" ? "{1} muss positiv sein" : format;
        });
        DistillConfig c;
        QCOMPARE(QString::fromStdString(c.apply("lr_img", "-5")), QString("lr_img muss positiv sein"));
        set_message_translator(nullptr);
        QCOMPARE(QString::fromStdString(c.apply("lr_img", "-5")), QString("lr_img must be positive"));
    }

    void runAppliesChangesAtNextStepAndRefusesBadOnes() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        auto cfg = short_run("mtt");
        cfg.syn_steps = 3;
        DistillRun run(fashion_, experts_, cfg);
        QCOMPARE(run.images().size(0), std::int64_t(20));
        QCOMPARE(run.hard_labels()[3].item<std::int64_t>(), std::int64_t(1));  // class blocks of ipc
        QVERIFY(run.set("syn_steps", "5").empty());
        QVERIFY(run.set("gradient_mode", "exact").empty());
        QCOMPARE(run.config().syn_steps, std::int64_t(3));  // not yet
        const auto before = run.images();
        QCOMPARE(QString::fromStdString(run.set("lr_img", "-1")), QString("lr_img must be positive"));
        QVERIFY(run.set("max_start_epoch", "6").find("epochs") != std::string::npos);  // experts have 6
        QVERIFY(run.set("ipc", "3").find("cannot change") != std::string::npos);
        const auto rec = run.step();
        QCOMPARE(rec.syn_steps, std::int64_t(5));
        QCOMPARE(rec.mode, std::string("exact"));
        QCOMPARE(run.changes().size(), size_t(2));
        QCOMPARE(run.changes()[0].iteration, std::int64_t(0));
        QCOMPARE(run.changes()[0].old_value, std::string("3"));
        QCOMPARE(run.changes()[0].new_value, std::string("5"));
        QCOMPARE(run.config().lr_img, 300.0);  // the refused value changed nothing
        QVERIFY(rec.updated);
        QVERIFY(!run.images().equal(before));
        QVERIFY(rec.peak_bytes > 0);
        QCOMPARE(rec.memory_kind, std::string("cpu-tensor-bytes"));
        QCOMPARE(run.iteration(), std::int64_t(1));
        QCOMPARE(run.history().size(), size_t(1));
    }

    void thresholdSkipsUpdatesAndFloorHoldsLr() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        auto cfg = short_run("mtt");
        cfg.syn_steps = 2;
        cfg.threshold = 1e-9;  // every loss is above it
        DistillRun run(fashion_, experts_, cfg);
        const auto before = run.images();
        const auto rec = run.step();
        QVERIFY(!rec.updated);
        QCOMPARE(rec.skip_reason, std::string("loss above threshold"));
        QVERIFY(run.images().equal(before));
        QCOMPARE(run.iteration(), std::int64_t(1));
        QVERIFY(run.set("threshold", "inf").empty());
        QVERIFY(run.set("lr_lr", "1").empty());  // the largest lr step allowed: it pushes alpha far away
        QVERIFY(run.set("lr_floor", "0.009").empty());
        for (int i = 0; i < 3; ++i) run.step();
        QVERIFY(run.lr() >= 0.009);
    }

    void memoryOfExactIsFlatAndUnrolledGrows() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        auto measure = [&](const std::string& mode, int steps) {
            auto cfg = short_run("mtt");
            cfg.mode = gradient_mode_from(mode);
            cfg.syn_steps = steps;
            DistillRun run(fashion_, experts_, cfg);
            return run.step().peak_bytes;
        };
        const auto exact4 = measure("exact", 4), exact16 = measure("exact", 16), exact48 = measure("exact", 48);
        const auto unrolled4 = measure("unrolled", 4), unrolled16 = measure("unrolled", 16);
        qInfo("peak tensor bytes: exact %ld / %ld / %ld (4 / 16 / 48 steps), unrolled %ld / %ld (4 / 16)", long(exact4),
              long(exact16), long(exact48), long(unrolled4), long(unrolled16));
        QVERIFY(unrolled16 > 3 * unrolled4);
        // Exact never holds more than one step's graph, and at most 16 parameter vectors (tiny
        // here): from 4 to 16 steps it keeps 12 more, from 16 to 48 none.
        QVERIFY(exact16 < 1.5 * exact4);
        QVERIFY2(exact48 - exact16 < (exact16 - exact4) / 2, "the exact mode keeps more vectors than its budget");
        QVERIFY(exact16 < unrolled16 / 3);
    }

    void shortTeslaSoftLabelRunLowersLoss() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        auto cfg = short_run("tesla");
        QCOMPARE(cfg.labels, LabelMode::Teacher);
        DistillRun run(fashion_, experts_, cfg);
        std::vector<double> losses;
        for (int i = 0; i < 20; ++i) losses.push_back(run.step().loss);
        const double first = (losses[0] + losses[1]) / 2, last = (losses[18] + losses[19]) / 2;
        QVERIFY2(last < 0.9 * first, qPrintable(QString("%1 -> %2").arg(first).arg(last)));
        const auto targets = run.label_targets();
        QCOMPARE(targets.sizes().vec(), (std::vector<std::int64_t>{20, 10}));
        QVERIFY(targets.sum(1).allclose(torch::ones({20}), 1e-5, 1e-5));
        QVERIFY(targets.max().item<float>() < 1.0f);  // soft
    }

    void shortDatmRunLowersLoss() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        auto cfg = short_run("datm");
        cfg.threshold = 1e9;  // the loss threshold is tested above; here the loss must fall
        DistillRun run(fashion_, experts_, cfg);
        const auto first_logits = run.label_targets();
        // Correctly classified initialisation: the expert's final checkpoint gets every image right.
        const auto& e = run.expert(0);
        const auto final_theta = e.checkpoint(e.checkpoints() - 1);
        QVERIFY(run.net().predict(run.images(), final_theta).argmax(1).equal(run.hard_labels()));
        std::vector<double> losses;
        for (int i = 0; i < 20; ++i) losses.push_back(run.step().loss);
        const double first = (losses[0] + losses[1]) / 2, last = (losses[18] + losses[19]) / 2;
        QVERIFY2(last < 0.9 * first, qPrintable(QString("%1 -> %2").arg(first).arg(last)));
        QVERIFY(!run.label_targets().equal(first_logits));  // the labels learn
        QVERIFY(run.history().back().grad_norm_labels > 0);
    }

    void syntheticSetFileRoundTrip() {
        const auto dir = fs::path(tmp_.path().toStdString());
        SyntheticSet hard;
        hard.images = torch::randn({4, 1, 5, 5});
        hard.labels = torch::tensor({0, 1, 2, 1}, torch::kInt64);
        hard.lr = 0.0123456789012345;
        hard.info = {{"dataset", "fashion-mnist"}, {"transform", "normalize"}};
        save_synthetic_set((dir / "h.dsyn").string(), hard);
        const auto back = load_synthetic_set((dir / "h.dsyn").string());
        QVERIFY(back.images.equal(hard.images));
        QVERIFY(back.labels.equal(hard.labels));
        QCOMPARE(back.lr, hard.lr);
        QCOMPARE(back.info.at("dataset"), std::string("fashion-mnist"));
        SyntheticSet soft = hard;
        soft.labels = torch::softmax(torch::randn({4, 3}), 1);
        save_synthetic_set((dir / "s.dsyn").string(), soft);
        QVERIFY(load_synthetic_set((dir / "s.dsyn").string()).labels.equal(soft.labels));
        // Truncated, padded and foreign files are refused by name.
        const auto p = (dir / "s.dsyn").string();
        fs::resize_file(p, fs::file_size(p) - 1);
        try {
            load_synthetic_set(p);
            QFAIL("a truncated set was accepted");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("s.dsyn: truncated") != std::string::npos);
        }
        std::ofstream(dir / "x.dsyn") << "DSTTRAJ1 something else";
        QVERIFY_THROWS_EXCEPTION(Error, load_synthetic_set((dir / "x.dsyn").string()));
    }

    void evaluationAndBaselinesRun() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        auto cfg = short_run("tesla");
        DistillRun run(fashion_, experts_, cfg);
        run.step();
        EvalConfig ec;
        ec.networks = 1;
        ec.epochs = 5;
        ec.net_width = 16;
        ec.net_depth = 2;
        const auto syn = run.evaluate(ec);
        const auto hard = run.evaluate_random_real(ec, false);
        const auto soft = run.evaluate_random_real(ec, true);
        QCOMPARE(syn.accuracies.size(), size_t(1));
        QVERIFY(syn.mean > 0.1 && hard.mean > 0.1 && soft.mean > 0.1);
    }

    // init_runtime leaves the threading to LibTorch: OpenBLAS's own pool of spinning threads,
    // beside LibTorch's, made every distillation step about 1.6x slower on two cores
    // (docs/benchmarks.md). Last, since it changes the thread count for what follows.
    void runtimeGivesBlasOneThread() {
        if (std::getenv("OPENBLAS_NUM_THREADS") != nullptr) QSKIP("OPENBLAS_NUM_THREADS is set: the user's choice stands");
        using GetThreads = int (*)();
        auto* blas_threads = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
        if (blas_threads == nullptr) QSKIP("LibTorch's BLAS here is not OpenBLAS");
        init_runtime(2);
        QCOMPARE(blas_threads(), 1);
        QCOMPARE(at::get_num_threads(), 2);
    }
};

QTEST_APPLESS_MAIN(TestDistill)
#include "tst_distill.moc"
