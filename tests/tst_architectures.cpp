// The cross-architecture networks (nn/architectures.h): parameter counts and output shapes against
// the reference code's models (mtt:networks.py, as PyTorch counts them), the flat layout and the
// forward pass against torch::nn twins built here (batch norm's running statistics included), a
// few training steps lowering the loss, and names or images that do not fit refused by name.
#include "common/torch_pch.h"

#include <QtTest>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/rng.h"
#include "nn/architectures.h"
#include "train/training.h"

using namespace distillery;
namespace nn = torch::nn;

namespace {

const NetworkInput kMnist{1, 28, 28, 10};
const NetworkInput kCifar100{3, 32, 32, 100};

std::unique_ptr<Network> build(const std::string& arch, const NetworkInput& in) { return make_network(arch, in, 128, 3); }

// The torch::nn twins, each written from the reference's description (nn/*.cpp say the same).
nn::AnyModule norm_module(std::int64_t channels, bool batch) {
    if (batch) return nn::AnyModule(nn::BatchNorm2d(channels));
    return nn::AnyModule(nn::GroupNorm(nn::GroupNormOptions(channels, channels).eps(1e-5).affine(true)));
}

nn::Sequential twin_mlp(const NetworkInput& in) {
    return nn::Sequential(nn::Flatten(), nn::Linear(in.channels * in.height * in.width, 128), nn::ReLU(),
                          nn::Linear(128, 128), nn::ReLU(), nn::Linear(128, in.classes));
}

nn::Sequential twin_alexnet(const NetworkInput& in) {
    auto conv = [](std::int64_t i, std::int64_t o, std::int64_t k, std::int64_t p) {
        return nn::Conv2d(nn::Conv2dOptions(i, o, k).padding(p));
    };
    auto pool = [] { return nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)); };
    return nn::Sequential(conv(in.channels, 128, 5, in.channels == 1 ? 4 : 2), nn::ReLU(), pool(), conv(128, 192, 5, 2),
                          nn::ReLU(), pool(), conv(192, 256, 3, 1), nn::ReLU(), conv(256, 192, 3, 1), nn::ReLU(),
                          conv(192, 192, 3, 1), nn::ReLU(), pool(), nn::Flatten(), nn::Linear(192 * 4 * 4, in.classes));
}

nn::Sequential twin_vgg11(const NetworkInput& in, bool batch) {
    nn::Sequential s;
    std::int64_t c = in.channels;
    const std::vector<std::int64_t> cfg = {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};  // 0: max-pool
    for (size_t i = 0; i < cfg.size(); ++i) {
        if (cfg[i] == 0) {
            s->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)));
            continue;
        }
        s->push_back(nn::Conv2d(nn::Conv2dOptions(c, cfg[i], 3).padding(in.channels == 1 && i == 0 ? 3 : 1)));
        s->push_back(norm_module(cfg[i], batch));
        s->push_back(nn::ReLU());
        c = cfg[i];
    }
    s->push_back(nn::Flatten());
    s->push_back(nn::Linear(512, in.classes));
    return s;
}

nn::Sequential twin_convnet_bn(const NetworkInput& in) {
    nn::Sequential s;
    std::int64_t c = in.channels;
    for (int d = 0; d < 3; ++d) {
        s->push_back(nn::Conv2d(nn::Conv2dOptions(c, 128, 3).padding(in.channels == 1 && d == 0 ? 3 : 1)));
        s->push_back(nn::BatchNorm2d(128));
        s->push_back(nn::ReLU());
        s->push_back(nn::AvgPool2d(nn::AvgPool2dOptions(2).stride(2)));
        c = 128;
    }
    s->push_back(nn::Flatten());
    s->push_back(nn::Linear(128 * 4 * 4, in.classes));
    return s;
}

struct TwinBlockImpl : nn::Module {
    TwinBlockImpl(std::int64_t in, std::int64_t planes, std::int64_t stride, bool batch) {
        conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(in, planes, 3).stride(stride).padding(1).bias(false)));
        bn1 = register_module("bn1", nn::Sequential(norm_module(planes, batch)));
        conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(planes, planes, 3).padding(1).bias(false)));
        bn2 = register_module("bn2", nn::Sequential(norm_module(planes, batch)));
        if (stride != 1 || in != planes)
            shortcut = register_module(
                "shortcut", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, planes, 1).stride(stride).bias(false)),
                                           norm_module(planes, batch)));
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto out = torch::relu(bn1->forward(conv1->forward(x)));
        out = bn2->forward(conv2->forward(out));
        return torch::relu(out + (shortcut ? shortcut->forward(x) : x));
    }
    nn::Conv2d conv1{nullptr}, conv2{nullptr};
    nn::Sequential bn1{nullptr}, bn2{nullptr}, shortcut{nullptr};
};
TORCH_MODULE(TwinBlock);

struct TwinResNetImpl : nn::Module {
    TwinResNetImpl(const NetworkInput& in, bool batch) {
        conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(in.channels, 64, 3).padding(1).bias(false)));
        bn1 = register_module("bn1", nn::Sequential(norm_module(64, batch)));
        std::int64_t planes_in = 64;
        const std::int64_t planes[] = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; ++stage) {
            nn::Sequential layer;
            for (int i = 0; i < 2; ++i) {
                layer->push_back(TwinBlock(planes_in, planes[stage], stage > 0 && i == 0 ? 2 : 1, batch));
                planes_in = planes[stage];
            }
            layers.push_back(register_module("layer" + std::to_string(stage + 1), layer));
        }
        classifier = register_module("classifier", nn::Linear(512, in.classes));
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto out = torch::relu(bn1->forward(conv1->forward(x)));
        for (auto& l : layers) out = l->forward(out);
        return classifier->forward(torch::avg_pool2d(out, 4).flatten(1));
    }
    nn::Conv2d conv1{nullptr};
    nn::Sequential bn1{nullptr};
    std::vector<nn::Sequential> layers;
    nn::Linear classifier{nullptr};
};
TORCH_MODULE(TwinResNet);

struct Twin {
    std::shared_ptr<nn::Module> module;
    std::function<torch::Tensor(const torch::Tensor&)> forward;
};

Twin twin(const std::string& arch, const NetworkInput& in) {
    if (arch == "resnet18" || arch == "resnet18bn") {
        TwinResNet r(in, arch == "resnet18bn");
        return {r.ptr(), [r](const torch::Tensor& x) mutable { return r->forward(x); }};
    }
    nn::Sequential s = arch == "mlp"       ? twin_mlp(in)
                       : arch == "alexnet" ? twin_alexnet(in)
                       : arch == "vgg11"   ? twin_vgg11(in, false)
                       : arch == "vgg11bn" ? twin_vgg11(in, true)
                                           : twin_convnet_bn(in);
    return {s.ptr(), [s](const torch::Tensor& x) mutable { return s->forward(x); }};
}

// The twin's running means and variances in our order: mean then variance, layer by layer.
torch::Tensor twin_running_stats(nn::Module& m) {
    std::vector<torch::Tensor> parts;
    const auto buffers = m.named_buffers();
    for (const auto& b : buffers) {
        if (b.key().size() >= 12 && b.key().compare(b.key().size() - 12, 12, "running_mean") == 0) {
            const auto prefix = b.key().substr(0, b.key().size() - 12);
            parts.push_back(b.value().reshape(-1));
            parts.push_back(buffers[prefix + "running_var"].reshape(-1));
        }
    }
    return parts.empty() ? torch::Tensor() : torch::cat(parts);
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

}  // namespace

class TestArchitectures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { torch::manual_seed(3); }
    void countsAndShapes();
    void forwardMatchesTorchModules();
    void trainingLowersTheLoss();
    void refusals();
};

void TestArchitectures::countsAndShapes() {
    // Parameters and running statistics of mtt:networks.py's models, counted by PyTorch 1.13 for
    // Fashion-MNIST (1x28x28, 10 classes) and CIFAR-100 (3x32x32, 100 classes).
    struct Row {
        const char* arch;
        std::int64_t mnist_params, cifar100_params, running_stats;
    };
    const Row rows[] = {{"convnet", 317706, 504420, 0},      {"convnetbn", 317706, 504420, 768},
                        {"mlp", 118282, 422756, 0},          {"alexnet", 1865802, 2148772, 0},
                        {"vgg11", 9229962, 9277284, 0},      {"vgg11bn", 9229962, 9277284, 5504},
                        {"resnet18", 11172810, 11220132, 0}, {"resnet18bn", 11172810, 11220132, 9600}};
    QCOMPARE(static_cast<size_t>(std::size(rows)), architecture_names().size());
    for (const auto& r : rows) {
        for (const auto& [in, params] : {std::pair{kMnist, r.mnist_params}, std::pair{kCifar100, r.cifar100_params}}) {
            const auto net = build(r.arch, in);
            QVERIFY2(net->num_params() == params, (net->describe() + ": " + std::to_string(net->num_params())).c_str());
            QCOMPARE(net->num_running_stats(), r.running_stats);
            Rng rng(1);
            const auto theta = net->initial_parameters(rng);
            QCOMPARE(theta.numel(), params);
            const auto stats = net->initial_running_stats();
            QCOMPARE(stats.defined() ? stats.numel() : 0, r.running_stats);
            torch::NoGradGuard no_grad;
            const auto x = torch::randn({2, in.channels, in.height, in.width});
            for (bool training : {true, false}) {
                const auto y = net->forward(x, theta, stats, training);
                QVERIFY2(y.sizes() == torch::IntArrayRef({2, in.classes}), net->describe().c_str());
                QVERIFY(torch::isfinite(y).all().item<bool>());
            }
        }
    }
}

void TestArchitectures::forwardMatchesTorchModules() {
    for (const std::string arch : {"mlp", "alexnet", "vgg11", "vgg11bn", "resnet18", "resnet18bn", "convnetbn"}) {
        const auto net = build(arch, kMnist);
        auto t = twin(arch, kMnist);
        const auto params = t.module->parameters();
        QCOMPARE(params.size(), net->layout().size());
        const auto named = t.module->named_parameters();
        Rng rng(5);
        const auto theta = net->initial_parameters(rng) + 0.05f * torch::randn({net->num_params()});
        {
            torch::NoGradGuard no_grad;
            for (size_t k = 0; k < params.size(); ++k) {
                const auto& slot = net->layout()[k];
                QVERIFY2(params[k].sizes().vec() == slot.shape, (arch + " " + slot.name).c_str());
                params[k].copy_(net->slot(theta, k));
            }
        }
        // Our names are PyTorch's for the reference layers that name them the same way.
        if (arch == "resnet18" || arch == "resnet18bn")
            QCOMPARE(QString::fromStdString(net->layout()[3].name), QStringLiteral("layer1.0.conv1.weight"));
        if (arch == "vgg11") QCOMPARE(QString::fromStdString(net->layout()[4].name), QStringLiteral("features.4.weight"));
        if (arch == "alexnet") QCOMPARE(QString::fromStdString(net->layout()[4].name), QStringLiteral("features.6.weight"));
        (void)named;

        const auto x = torch::randn({6, 1, 28, 28});
        auto stats = net->initial_running_stats();
        torch::NoGradGuard no_grad;
        // Training mode: batch statistics, and the running ones updated as BatchNorm2d does.
        t.module->train();
        const auto want_train = t.forward(x);
        const auto got_train = net->forward(x, theta, stats, true);
        QVERIFY2(torch::allclose(got_train, want_train, 1e-4, 1e-4),
                 (arch + " (training): " + std::to_string(max_abs_diff(got_train, want_train))).c_str());
        if (stats.defined()) {
            const auto want_stats = twin_running_stats(*t.module);
            QVERIFY2(torch::allclose(stats, want_stats, 1e-5, 1e-5), (arch + " running statistics").c_str());
            QVERIFY(max_abs_diff(stats, net->initial_running_stats()) > 1e-3);  // they did move
        }
        // Evaluation mode: the running statistics.
        t.module->eval();
        const auto want_eval = t.forward(x);
        const auto got_eval = net->predict(x, theta, 4, stats);
        QVERIFY2(torch::allclose(got_eval, want_eval, 1e-4, 1e-4),
                 (arch + " (evaluation): " + std::to_string(max_abs_diff(got_eval, want_eval))).c_str());
        if (stats.defined()) QVERIFY2(max_abs_diff(got_eval, got_train) > 1e-4, arch.c_str());
    }
}

void TestArchitectures::trainingLowersTheLoss() {
    // Three SGD steps on one fixed batch, as evaluation trains (train/training.h), lower its loss.
    const auto x = torch::randn({20, 1, 28, 28});
    const auto y = torch::arange(20, torch::kInt64).remainder(10);
    for (const auto& arch : architecture_names()) {
        const auto net = build(arch, kMnist);
        Rng rng(2);
        auto theta = net->initial_parameters(rng);
        auto stats = net->initial_running_stats();
        auto loss_at = [&](const torch::Tensor& th) {
            torch::NoGradGuard no_grad;
            auto probe = stats.defined() ? stats.clone() : stats;
            return classification_loss(net->forward(x, th, probe, true), y).item<double>();
        };
        const double before = loss_at(theta);
        FlatSgd sgd(0.01, 0.9, 5e-4);
        for (int step = 0; step < 3; ++step) {
            const auto leaf = theta.detach().requires_grad_(true);
            const auto loss = classification_loss(net->forward(x, leaf, stats, true), y);
            sgd.step(theta, torch::autograd::grad({loss}, {leaf})[0]);
        }
        const double after = loss_at(theta);
        QVERIFY2(after < before, (arch + ": " + std::to_string(before) + " -> " + std::to_string(after)).c_str());
    }
}

void TestArchitectures::refusals() {
    auto message_of = [](const std::function<void()>& f) -> std::string {
        try {
            f();
        } catch (const Error& e) {
            return e.what();
        }
        return {};
    };
    const auto misspelt = message_of([] { parse_architectures("convnet,resnet81"); });
    QVERIFY2(misspelt.find("resnet81") != std::string::npos && misspelt.find("did you mean 'resnet18'") != std::string::npos,
             misspelt.c_str());
    QVERIFY(!message_of([] { parse_architectures(" , "); }).empty());
    const auto list = parse_architectures("ResNet-18, vgg11,resnet18");  // spelt as papers do; duplicates once
    QCOMPARE(list.size(), size_t(2));
    QCOMPARE(QString::fromStdString(list[0]), QStringLiteral("resnet18"));
    const auto small = message_of([] { build("resnet18", NetworkInput{1, 8, 8, 10}); });
    QVERIFY2(small.find("too small for resnet18") != std::string::npos, small.c_str());
    const auto net = build("mlp", kMnist);
    Rng rng(1);
    const auto theta = net->initial_parameters(rng);
    QVERIFY(!message_of([&] { net->forward(torch::zeros({1, 3, 28, 28}), theta, {}, false); }).empty());
    QVERIFY(!message_of([&] { net->forward(torch::zeros({1, 1, 28, 28}), theta.narrow(0, 0, 5), {}, false); }).empty());
    const auto bn = build("resnet18bn", kMnist);
    Rng rng2(1);
    const auto bn_theta = bn->initial_parameters(rng2);
    QVERIFY(message_of([&] { bn->forward(torch::zeros({2, 1, 28, 28}), bn_theta, {}, true); }).find("running") !=
            std::string::npos);
}

QTEST_APPLESS_MAIN(TestArchitectures)
#include "tst_architectures.moc"
