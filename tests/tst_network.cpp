// The functional ConvNet (parameter counts, flat layout, forward against torch::nn, initialisation,
// double backward) and Differentiable Siamese Augmentation (each family's effect, the draws,
// replay of a draw, double backward through the augmentation). Spec sections 2 and 4.
#include "common/torch_pch.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "augment/dsa.h"
#include "common/error.h"
#include "common/rng.h"
#include "nn/convnet.h"
#include "nn/convolution.h"
#include "nn/instance_norm.h"
#include "tiny_fixtures.h"
#include "train/training.h"

using namespace distillery;

namespace {

using fixtures::convnet_spec;

std::vector<std::int64_t> sizes_of(const torch::Tensor& t) { return t.sizes().vec(); }

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

double rel_err(double a, double b) {
    return std::abs(a - b) / std::max({std::abs(a), std::abs(b), 1e-300});
}

std::string describe(const std::string& what, double got, double want) {
    std::ostringstream s;
    s.precision(12);
    s << what << ": got " << got << ", want " << want;
    return s.str();
}

// Fan-in of the layer a conv/fc slot belongs to: the product of its weight's dimensions after the
// first (a bias slot uses its own layer's weight, the slot just before it).
std::int64_t fan_in_of(const std::vector<ParamSlot>& layout, size_t k) {
    const bool bias = layout[k].name.find(".bias") != std::string::npos;
    const auto& w = bias ? layout[k - 1] : layout[k];
    std::int64_t f = 1;
    for (size_t i = 1; i < w.shape.size(); ++i) f *= w.shape[i];
    return f;
}

// Parameters for gradient tests: PyTorch's initialisation, with the norm affine parameters moved
// away from 1 and 0 so that they matter, in float64.
torch::Tensor test_theta(const ConvNet& net, std::uint64_t seed) {
    Rng rng(seed);
    torch::Tensor theta = net.initial_parameters(rng).to(torch::kFloat64);
    for (size_t k = 0; k < net.layout().size(); ++k)
        if (net.layout()[k].name.rfind("norm", 0) == 0) {
            auto s = net.slot(theta, k);
            s.add_(0.3 * torch::randn(s.sizes(), torch::kFloat64));
        }
    return theta;
}

// s(theta, x) = grad_theta CE(f(A(x); theta), y) . v, where A is the DSA draw (or nothing), without
// any graph: the function that finite differences evaluate.
double grad_dot(const ConvNet& net, const torch::Tensor& theta, const torch::Tensor& x, const torch::Tensor& y,
                const torch::Tensor& v, const Dsa* dsa = nullptr, const DsaDraw* draw = nullptr) {
    const auto th = theta.detach().clone().requires_grad_(true);
    const auto input = dsa ? dsa->apply(x.detach(), *draw) : x.detach();
    const auto loss = classification_loss(net.forward(input, th), y);
    const auto g = torch::autograd::grad({loss}, {th})[0];
    return (g * v).sum().item<double>();
}

// The same s with create_graph, and its gradients with respect to x and theta by double backward.
std::pair<torch::Tensor, torch::Tensor> grad_dot_gradients(const ConvNet& net, const torch::Tensor& theta,
                                                           const torch::Tensor& x, const torch::Tensor& y,
                                                           const torch::Tensor& v, const Dsa* dsa = nullptr,
                                                           const DsaDraw* draw = nullptr) {
    const auto th = theta.detach().clone().requires_grad_(true);
    const auto xx = x.detach().clone().requires_grad_(true);
    const auto input = dsa ? dsa->apply(xx, *draw) : xx;
    const auto loss = classification_loss(net.forward(input, th), y);
    const auto g = torch::autograd::grad({loss}, {th}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
    const auto s = (g * v).sum();
    const auto grads = torch::autograd::grad({s}, {xx, th}, {}, /*retain_graph=*/false, /*create_graph=*/false,
                                             /*allow_unused=*/true);
    return {grads[0], grads[1]};
}

DsaDraw make_draw(DsaFamily f, torch::Tensor a, torch::Tensor b = {}, torch::Tensor c = {}) {
    DsaDraw d;
    d.family = f;
    d.a = std::move(a);
    d.b = std::move(b);
    d.c = std::move(c);
    return d;
}

torch::Tensor f32(std::vector<float> v) { return torch::tensor(v, torch::kFloat32); }
torch::Tensor i64(std::vector<std::int64_t> v) { return torch::tensor(v, torch::kInt64); }

// The torch::nn twin of ConvNet(spec), built from the spec alone.
torch::nn::Sequential reference_module(const ConvNetSpec& s, std::int64_t* feature_size) {
    torch::nn::Sequential features;
    std::int64_t in = s.channels;
    for (std::int64_t d = 0; d < s.depth; ++d) {
        const std::int64_t pad = (d == 0 && s.channels == 1) ? 3 : 1;
        features->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, s.net_width, 3).stride(1).padding(pad).bias(true)));
        features->push_back(torch::nn::GroupNorm(torch::nn::GroupNormOptions(s.net_width, s.net_width).eps(1e-5).affine(true)));
        features->push_back(torch::nn::ReLU());
        features->push_back(torch::nn::AvgPool2d(torch::nn::AvgPool2dOptions(2).stride(2)));
        in = s.net_width;
    }
    features->push_back(torch::nn::Flatten());
    {
        torch::NoGradGuard no_grad;
        *feature_size = features->forward(torch::zeros({1, s.channels, s.height, s.width})).size(1);
    }
    features->push_back(torch::nn::Linear(*feature_size, s.classes));
    return features;
}

}  // namespace

class TestNetwork : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void parameterCounts();
    void layoutOrderAndOffsets();
    void forwardMatchesTorchModule();
    void initialisation();
    void doubleBackwardThroughNetwork();
    void paddedConvolutionIsExact();
    void float32NetworksAgreeWithFloat64();
    void instanceNormGivesGroupNormsDerivatives();
    void dsaFamilies();
    void dsaDraws();
    void dsaReplay();
    void doubleBackwardThroughDsa();
};

// Every test function starts from the same global torch stream, so each one draws the same tensors
// whether it runs alone or in the suite.
void TestNetwork::init() {
    torch::manual_seed(20240601);
}

void TestNetwork::parameterCounts() {
    struct Case {
        ConvNetSpec spec;
        std::int64_t params;
    };
    const std::vector<Case> cases = {
        {convnet_spec(1, 28, 28, 10, 128, 3), 317706},   // MNIST
        {convnet_spec(3, 32, 32, 10, 128, 3), 320010},   // CIFAR-10
        {convnet_spec(3, 32, 32, 100, 128, 3), 504420},  // CIFAR-100
        {convnet_spec(3, 64, 64, 200, 128, 4), 857160},  // Tiny ImageNet, ConvNetD4
    };
    for (const auto& c : cases) {
        const ConvNet net(c.spec);
        QVERIFY2(net.num_params() == c.params, describe(c.spec.describe(), double(net.num_params()), double(c.params)).c_str());
        std::int64_t sum = 0;
        for (const auto& p : net.layout()) sum += p.numel;
        QCOMPARE(sum, c.params);
        Rng rng(1);
        QCOMPARE(net.initial_parameters(rng).numel(), c.params);
    }
    // Too small for the depth, or nonsense: refused.
    bool threw = false;
    try {
        const ConvNet too_deep(convnet_spec(3, 4, 4, 10, 8, 4));  // 4 -> 2 -> 1 -> 0
        Q_UNUSED(too_deep);
    } catch (const Error&) {
        threw = true;
    }
    QVERIFY(threw);
}

void TestNetwork::layoutOrderAndOffsets() {
    const std::vector<ConvNetSpec> specs = {convnet_spec(1, 28, 28, 10, 128, 3), convnet_spec(3, 32, 32, 10, 128, 3),
                                            convnet_spec(3, 32, 32, 100, 128, 3), convnet_spec(3, 64, 64, 200, 128, 4)};
    for (const auto& spec : specs) {
        const ConvNet net(spec);
        const auto& layout = net.layout();
        QCOMPARE(net.feature_size(), std::int64_t(2048));
        QCOMPARE(layout.size(), size_t(4 * spec.depth + 2));

        std::vector<std::string> want_names;
        std::vector<std::vector<std::int64_t>> want_shapes;
        std::int64_t in = spec.channels;
        for (std::int64_t d = 0; d < spec.depth; ++d) {
            const auto i = std::to_string(d);
            want_names.insert(want_names.end(), {"conv" + i + ".weight", "conv" + i + ".bias", "norm" + i + ".weight",
                                                 "norm" + i + ".bias"});
            want_shapes.push_back({128, in, 3, 3});
            want_shapes.push_back({128});
            want_shapes.push_back({128});
            want_shapes.push_back({128});
            in = 128;
        }
        want_names.insert(want_names.end(), {"fc.weight", "fc.bias"});
        want_shapes.push_back({spec.classes, 2048});
        want_shapes.push_back({spec.classes});

        std::int64_t offset = 0;
        for (size_t k = 0; k < layout.size(); ++k) {
            const auto& p = layout[k];
            QCOMPARE(p.name, want_names[k]);
            QVERIFY2(p.shape == want_shapes[k], p.name.c_str());
            std::int64_t numel = 1;
            for (auto d : p.shape) numel *= d;
            QCOMPARE(p.numel, numel);
            QCOMPARE(p.offset, offset);
            offset += p.numel;
        }
        QCOMPARE(offset, net.num_params());
    }

    // slot() is a view into theta at the slot's offset, in row-major order.
    const ConvNet net(convnet_spec(3, 8, 8, 3, 4, 2));
    const auto theta = torch::arange(net.num_params(), torch::kFloat32);
    for (size_t k = 0; k < net.layout().size(); ++k) {
        const auto& p = net.layout()[k];
        const auto s = net.slot(theta, k);
        QVERIFY(sizes_of(s) == p.shape);
        QCOMPARE(s.data_ptr<float>(), theta.data_ptr<float>() + p.offset);
        QVERIFY(torch::equal(s.reshape(-1), torch::arange(p.offset, p.offset + p.numel, torch::kFloat32)));
    }

    // The description written to trajectory files reads back as the same network.
    const auto spec = convnet_spec(3, 64, 64, 200, 128, 4);
    QCOMPARE(ConvNetSpec::parse(spec.describe()), spec);
}

void TestNetwork::forwardMatchesTorchModule() {
    const std::vector<ConvNetSpec> specs = {
        convnet_spec(1, 28, 28, 10, 8, 3),  // MNIST-like: padding 3 on the first conv
        convnet_spec(3, 32, 32, 10, 8, 3),  // CIFAR-like
        convnet_spec(3, 24, 16, 5, 6, 2),   // not square: catches height/width mix-ups
    };
    for (const auto& spec : specs) {
        const ConvNet net(spec);
        std::int64_t feature_size = 0;
        auto module = reference_module(spec, &feature_size);
        QCOMPARE(net.feature_size(), feature_size);

        // Random parameters everywhere (including gamma and beta), so that a wrong order shows.
        Rng rng(7);
        const auto theta = net.initial_parameters(rng) + 0.1f * torch::randn({net.num_params()});

        const auto params = module->parameters();
        QCOMPARE(params.size(), net.layout().size());
        {
            torch::NoGradGuard no_grad;
            for (size_t k = 0; k < params.size(); ++k) {
                const auto& p = net.layout()[k];
                QVERIFY2(sizes_of(params[k]) == p.shape, p.name.c_str());
                params[k].copy_(net.slot(theta, k));
            }
        }
        std::vector<torch::Tensor> flat;
        for (const auto& p : params) flat.push_back(p.detach().reshape(-1));
        QVERIFY(torch::equal(torch::cat(flat), theta));

        const auto x = torch::randn({4, spec.channels, spec.height, spec.width});
        torch::NoGradGuard no_grad;
        const auto want = module->forward(x);
        const auto got = net.forward(x, theta);
        QVERIFY(sizes_of(got) == (std::vector<std::int64_t>{4, spec.classes}));
        QVERIFY2(torch::allclose(got, want, 1e-5, 1e-5),
                 describe(spec.describe(), max_abs_diff(got, want), 0.0).c_str());
        // And the output does depend on the input.
        QVERIFY(max_abs_diff(net.forward(x.flip({0}), theta), got) > 1e-3);
    }

    // Wrong parameter count or input shape is an Error, not a crash.
    const ConvNet net(convnet_spec(3, 32, 32, 10, 8, 3));
    Rng rng(1);
    const auto theta = net.initial_parameters(rng);
    bool threw_theta = false, threw_x = false;
    try {
        net.forward(torch::zeros({1, 3, 32, 32}), theta.narrow(0, 0, 10));
    } catch (const Error&) {
        threw_theta = true;
    }
    try {
        net.forward(torch::zeros({1, 1, 32, 32}), theta);
    } catch (const Error&) {
        threw_x = true;
    }
    QVERIFY(threw_theta);
    QVERIFY(threw_x);
}

void TestNetwork::initialisation() {
    const ConvNet net(convnet_spec(1, 28, 28, 10, 128, 3));
    Rng r1(42), r2(42), r3(43);
    const auto a = net.initial_parameters(r1);
    const auto b = net.initial_parameters(r2);
    const auto c = net.initial_parameters(r3);
    QCOMPARE(a.scalar_type(), torch::kFloat32);
    QVERIFY(a.device().is_cpu());
    QCOMPARE(a.dim(), int64_t(1));
    QVERIFY(torch::equal(a, b));
    QVERIFY(!torch::equal(a, c));
    // The draws moved the stream on: the next network from the same Rng is different.
    QVERIFY(!torch::equal(net.initial_parameters(r1), a));

    const auto& layout = net.layout();
    for (size_t k = 0; k < layout.size(); ++k) {
        const auto& p = layout[k];
        const auto s = net.slot(a, k).to(torch::kFloat64);
        const bool is_norm = p.name.rfind("norm", 0) == 0;
        if (is_norm) {
            const double want = p.name.find(".weight") != std::string::npos ? 1.0 : 0.0;
            QVERIFY2(torch::equal(s, torch::full_like(s, want)), p.name.c_str());
            continue;
        }
        const double bound = 1.0 / std::sqrt(double(fan_in_of(layout, k)));
        const double lo = s.min().item<double>(), hi = s.max().item<double>();
        const std::string name = p.name;
        QVERIFY2(hi <= bound * (1 + 1e-6) && lo >= -bound * (1 + 1e-6), (name + " outside +-1/sqrt(fan_in)").c_str());
        if (p.numel >= 100) {
            // Uses the range: extremes near the bounds, mean near 0, spread of a uniform.
            QVERIFY2(hi > 0.9 * bound && lo < -0.9 * bound, (name + " does not use its range").c_str());
            QVERIFY2(std::abs(s.mean().item<double>()) < 0.1 * bound, (name + " mean").c_str());
            if (p.numel >= 10000) {
                const double sd = s.std().item<double>();
                QVERIFY2(std::abs(sd / (bound / std::sqrt(3.0)) - 1.0) < 0.02, describe(name + " std", sd, bound / std::sqrt(3.0)).c_str());
            }
        } else {
            QVERIFY2(hi - lo > 0.2 * bound, (name + " does not use its range").c_str());
        }
    }
}

// instance_norm (a hand-written second derivative) against torch::group_norm with one group per
// channel in float64: the values, the first derivative and the derivative of a product of the
// first derivative with fixed vectors, as the matching modes take it.
void TestNetwork::instanceNormGivesGroupNormsDerivatives() {
    using Norm = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&)>;
    const Norm reference = [](const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
        return torch::group_norm(x, x.size(1), w, b, 1e-5);
    };
    const Norm ours = [](const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
        return instance_norm(x, w, b);
    };
    const auto opts = torch::kFloat64;
    // a constant channel too (variance 0): eps keeps it finite
    auto x0 = torch::randn({3, 4, 5, 6}, opts);
    x0[1][2].fill_(0.5);
    const auto w0 = 1 + 0.3 * torch::randn({4}, opts), b0 = 0.3 * torch::randn({4}, opts);
    const auto upstream = torch::randn({3, 4, 5, 6}, opts);
    const auto vx = torch::randn({3, 4, 5, 6}, opts), vw = torch::randn({4}, opts), vb = torch::randn({4}, opts);
    const auto derivatives = [&](const Norm& norm) {
        const auto x = x0.clone().requires_grad_(true), w = w0.clone().requires_grad_(true),
                   b = b0.clone().requires_grad_(true);
        // a nonlinear loss, so that the upstream gradient depends on x, w and b as well
        const auto y = norm(x, w, b);
        const auto loss = (y * upstream).sum() + 0.5 * (y * y * y).sum();
        const auto g = torch::autograd::grad({loss}, {x, w, b}, {}, true, true);
        const auto s = (g[0] * vx).sum() + (g[1] * vw).sum() + (g[2] * vb).sum();
        auto second = torch::autograd::grad({s}, {x, w, b});
        std::vector<torch::Tensor> all = {y.detach(), g[0].detach(), g[1].detach(), g[2].detach()};
        all.insert(all.end(), second.begin(), second.end());
        return all;
    };
    const auto want = derivatives(reference), got = derivatives(ours);
    const char* names[] = {"values", "d/dx", "d/dweight", "d/dbias", "second d/dx", "second d/dweight",
                           "second d/dbias"};
    for (size_t i = 0; i < want.size(); ++i) {
        const double scale = std::max(1.0, want[i].abs().max().item<double>());
        const double err = max_abs_diff(got[i], want[i]) / scale;
        QVERIFY2(err < 1e-12, (std::string(names[i]) + ": relative difference " + std::to_string(err)).c_str());
    }
    // A graph for a third derivative is refused rather than built wrong.
    const auto x = x0.clone().requires_grad_(true);
    const auto w = w0.clone().requires_grad_(true), b = b0.clone().requires_grad_(true);
    const auto y = instance_norm(x, w, b);
    const auto g = torch::autograd::grad({(y * y * y).sum()}, {x}, {}, true, true)[0];
    QVERIFY_THROWS_EXCEPTION(Error, torch::autograd::grad({(g * vx).sum()}, {x}, {}, true, /*create_graph=*/true));
    // A wrong shape is refused by name.
    QVERIFY_THROWS_EXCEPTION(Error, instance_norm(torch::randn({2, 3, 4}, opts), w0, b0));
}

void TestNetwork::doubleBackwardThroughNetwork() {
    for (const auto& spec : {convnet_spec(1, 8, 8, 3, 4, 2), convnet_spec(3, 8, 8, 3, 4, 2)}) {
        const ConvNet net(spec);
        const auto theta = test_theta(net, 5);
        const auto x = torch::randn({3, spec.channels, spec.height, spec.width}, torch::kFloat64);
        const auto y = torch::tensor(std::vector<std::int64_t>{0, 2, 1}, torch::kInt64);
        const auto v = torch::randn({net.num_params()}, torch::kFloat64);

        const auto [gx, gtheta] = grad_dot_gradients(net, theta, x, y, v);
        QVERIFY(gx.defined() && gtheta.defined());
        QVERIFY(sizes_of(gx) == sizes_of(x));

        // Central differences along a random direction; step small enough that no ReLU input is
        // likely to cross zero, large enough for float64 rounding (error ~1e-16/h).
        const double h = 1e-6;
        const auto dx = torch::randn_like(x);
        const double fd_x = (grad_dot(net, theta, x + h * dx, y, v) - grad_dot(net, theta, x - h * dx, y, v)) / (2 * h);
        const double ad_x = (gx * dx).sum().item<double>();
        QVERIFY2(std::abs(ad_x) > 1e-6, describe("d/dx magnitude", ad_x, 0).c_str());
        QVERIFY2(rel_err(ad_x, fd_x) <= 1e-6, describe("d(g.v)/dx along a direction", ad_x, fd_x).c_str());

        const auto dth = torch::randn_like(theta);
        const double fd_t =
            (grad_dot(net, theta + h * dth, x, y, v) - grad_dot(net, theta - h * dth, x, y, v)) / (2 * h);
        const double ad_t = (gtheta * dth).sum().item<double>();
        QVERIFY2(std::abs(ad_t) > 1e-6, describe("d/dtheta magnitude", ad_t, 0).c_str());
        QVERIFY2(rel_err(ad_t, fd_t) <= 1e-6, describe("d(g.v)/dtheta along a direction", ad_t, fd_t).c_str());
    }
}

// The padding that avoids wrong convolutions (convolution.h) changes nothing else: in
// float64, which oneDNN never computes, it gives torch::conv2d's values and first and second
// derivatives.
void TestNetwork::paddedConvolutionIsExact() {
    for (const bool pad_input : {false, true})
        for (const bool bias : {false, true})
            for (const std::int64_t stride : {1, 2}) {
                const auto x = torch::randn({2, 5, 9, 9}, torch::kFloat64).requires_grad_();
                const auto w = torch::randn({7, 5, 3, 3}, torch::kFloat64).requires_grad_();
                const auto b = bias ? torch::randn({7}, torch::kFloat64).requires_grad_() : torch::Tensor();
                const auto plain = torch::conv2d(x, w, b, stride, 1);
                const auto padded = convolution_padded_channels(x, w, b, stride, 1, pad_input);
                QVERIFY(sizes_of(padded) == sizes_of(plain));
                QVERIFY(max_abs_diff(padded, plain) < 1e-12);
                const auto g = torch::randn_like(plain).requires_grad_();
                std::vector<torch::Tensor> inputs{x, w};
                if (bias) inputs.push_back(b);
                const auto first_plain = torch::autograd::grad({plain}, inputs, {g}, true, true);
                const auto first_padded = torch::autograd::grad({padded}, inputs, {g}, true, true);
                torch::Tensor s_plain = torch::zeros({}, torch::kFloat64), s_padded = s_plain;
                for (size_t i = 0; i < inputs.size(); ++i) {
                    QVERIFY(max_abs_diff(first_padded[i], first_plain[i]) < 1e-12);
                    const auto u = torch::randn_like(first_plain[i]);
                    s_plain = s_plain + (first_plain[i] * u).sum();
                    s_padded = s_padded + (first_padded[i] * u).sum();
                }
                const std::vector<torch::Tensor> wrt{x, w, g};
                const auto second_plain = torch::autograd::grad({s_plain}, wrt, {}, false, false, true);
                const auto second_padded = torch::autograd::grad({s_padded}, wrt, {}, false, false, true);
                for (size_t i = 0; i < wrt.size(); ++i) {
                    QCOMPARE(second_padded[i].defined(), second_plain[i].defined());
                    if (second_plain[i].defined()) QVERIFY(max_abs_diff(second_padded[i], second_plain[i]) < 1e-12);
                }
            }
}

// What distillation differentiates, s = grad_theta CE . v and its gradients with respect to the
// images and the parameters, is the same in float32 as in float64 for widths that are and are not
// multiples of oneDNN's channel blocks. Debian 13's LibTorch 2.6 got widths 4, 8, 12 and 24 wrong
// by half the gradient on AVX-512 CPUs before convolution() padded their layers.
void TestNetwork::float32NetworksAgreeWithFloat64() {
    for (const std::int64_t width : {4, 8, 12, 24, 32}) {
        const ConvNet net(convnet_spec(1, 28, 28, 10, width, 2));
        const auto theta = test_theta(net, 7);
        const auto x = torch::randn({6, 1, 28, 28}, torch::kFloat64);
        const auto y = torch::tensor(std::vector<std::int64_t>{0, 3, 9, 1, 4, 3}, torch::kInt64);
        const auto v = torch::randn({net.num_params()}, torch::kFloat64);
        const auto [gx64, gtheta64] = grad_dot_gradients(net, theta, x, y, v);
        const auto [gx32, gtheta32] = grad_dot_gradients(net, theta.to(torch::kFloat32), x.to(torch::kFloat32), y,
                                                         v.to(torch::kFloat32));
        const auto relative = [](const torch::Tensor& single, const torch::Tensor& reference) {
            return max_abs_diff(single, reference) / reference.abs().max().item<double>();
        };
        const auto why = "width " + std::to_string(width) + ": d/dx off by " + std::to_string(relative(gx32, gx64)) +
                         ", d/dtheta by " + std::to_string(relative(gtheta32, gtheta64));
        QVERIFY2(relative(gx32, gx64) < 1e-3 && relative(gtheta32, gtheta64) < 1e-3, why.c_str());
    }
}

void TestNetwork::dsaFamilies() {
    const Dsa dsa("color_crop_cutout_flip_scale_rotate");
    const auto x3 = torch::rand({2, 3, 32, 32}) + 0.25f;  // no zeros, so zeroed pixels show
    const auto x1 = torch::rand({2, 1, 28, 28}) + 0.25f;

    // Colour.
    {
        const auto half = f32({0.5f, 0.5f});
        QVERIFY(torch::allclose(dsa.apply(x3, make_draw(DsaFamily::Color, half, half, half)), x3, 1e-6, 1e-6));
        // Brightness u=1 adds 0.5, u=0 subtracts 0.5, per sample.
        const auto bright = dsa.apply(x3, make_draw(DsaFamily::Color, f32({1.f, 0.f}), half, half));
        QVERIFY(torch::allclose(bright[0], x3[0] + 0.5f, 1e-6, 1e-6));
        QVERIFY(torch::allclose(bright[1], x3[1] - 0.5f, 1e-6, 1e-6));
        // Contrast keeps each sample's mean and scales deviations by u + 0.5.
        const auto con = dsa.apply(x3, make_draw(DsaFamily::Color, half, half, f32({0.9f, 0.1f})));
        const auto m_in = x3.mean({1, 2, 3}, true), m_out = con.mean({1, 2, 3}, true);
        QVERIFY(torch::allclose(m_out, m_in, 1e-5, 1e-6));
        QVERIFY(torch::allclose(con - m_out, (x3 - m_in) * f32({1.4f, 0.6f}).view({2, 1, 1, 1}), 1e-5, 1e-5));
        QVERIFY(!torch::allclose(con, x3, 1e-3, 1e-3));
        // Saturation: nothing to do on one channel; u = 0 makes three channels grey.
        QVERIFY(torch::allclose(dsa.apply(x1, make_draw(DsaFamily::Color, half, f32({0.f, 0.9f}), half)), x1, 1e-6, 1e-6));
        const auto grey = dsa.apply(x3, make_draw(DsaFamily::Color, half, f32({0.f, 0.f}), half));
        QVERIFY(torch::allclose(grey, x3.mean(1, true).expand_as(x3), 1e-6, 1e-6));
    }
    // Flip: u < 0.5 flips the width axis.
    {
        const auto out = dsa.apply(x3, make_draw(DsaFamily::Flip, f32({0.2f, 0.5f})));
        QVERIFY(torch::equal(out[0], x3[0].flip({2})));
        QVERIFY(torch::equal(out[1], x3[1]));
    }
    // Crop (translate).
    {
        QVERIFY(torch::equal(dsa.apply(x3, make_draw(DsaFamily::Crop, i64({0, 0}), i64({0, 0}))), x3));
        const auto H = x3.size(2), W = x3.size(3);
        // Sample 0: rows +1; sample 1: columns -1.
        const auto out = dsa.apply(x3, make_draw(DsaFamily::Crop, i64({1, 0}), i64({0, -1})));
        using torch::indexing::Slice;
        QVERIFY(torch::equal(out[0].index({Slice(), Slice(0, H - 1), Slice()}), x3[0].index({Slice(), Slice(1, H), Slice()})));
        QVERIFY(torch::equal(out[0].index({Slice(), H - 1, Slice()}), torch::zeros({3, W})));
        QVERIFY(torch::equal(out[1].index({Slice(), Slice(), Slice(1, W)}), x3[1].index({Slice(), Slice(), Slice(0, W - 1)})));
        QVERIFY(torch::equal(out[1].index({Slice(), Slice(), 0}), torch::zeros({3, H})));
        // A shift of 4 (the largest drawn for 32x32) leaves 4 zero rows.
        const auto far = dsa.apply(x3, make_draw(DsaFamily::Crop, i64({-4, 0}), i64({0, 0})));
        QVERIFY(torch::equal(far[0].index({Slice(), Slice(0, 4), Slice()}), torch::zeros({3, 4, W})));
        QVERIFY(torch::equal(far[0].index({Slice(), Slice(4, H), Slice()}), x3[0].index({Slice(), Slice(0, H - 4), Slice()})));
    }
    // Cutout: a 14x14 square for 28x28 images, rows o - 7 .. o + 6, clamped at the borders.
    {
        auto expected_mask = [](std::int64_t ox, std::int64_t oy) {
            auto m = torch::ones({28, 28});
            for (std::int64_t i = 0; i < 28; ++i)
                for (std::int64_t j = 0; j < 28; ++j)
                    if (i >= ox - 7 && i <= ox + 6 && j >= oy - 7 && j <= oy + 6) m[i][j] = 0.f;
            return m;
        };
        const auto out = dsa.apply(x1, make_draw(DsaFamily::Cutout, i64({14, 0}), i64({14, 28})));
        QVERIFY(torch::equal(out[0][0], x1[0][0] * expected_mask(14, 14)));
        QCOMPARE(out[0].eq(0).sum().item<std::int64_t>(), std::int64_t(14 * 14));
        // At the corner (0, 28) the square is cut to 7x7.
        QVERIFY(torch::equal(out[1][0], x1[1][0] * expected_mask(0, 28)));
        QCOMPARE(out[1].eq(0).sum().item<std::int64_t>(), std::int64_t(7 * 7));
        // A batch of one.
        const auto single = dsa.apply(x1.narrow(0, 0, 1), make_draw(DsaFamily::Cutout, i64({14}), i64({14})));
        QVERIFY(torch::equal(single[0][0], x1[0][0] * expected_mask(14, 14)));
        // All channels share the mask.
        const auto out3 = dsa.apply(x3, make_draw(DsaFamily::Cutout, i64({16, 5}), i64({16, 20})));
        QCOMPARE(out3[0].eq(0).sum().item<std::int64_t>(), std::int64_t(3 * 16 * 16));
        QVERIFY(torch::equal(out3[0].eq(0)[0], out3[0].eq(0)[2]));
    }
    // Scale.
    {
        const auto one = f32({1.f, 1.f});
        QVERIFY(torch::allclose(dsa.apply(x3, make_draw(DsaFamily::Scale, one, one)), x3, 0, 1e-5));
        // The first factor scales the width coordinate: -1 mirrors the columns.
        const auto mirrored = dsa.apply(x3, make_draw(DsaFamily::Scale, f32({-1.f, 1.f}), f32({1.f, -1.f})));
        QVERIFY(torch::allclose(mirrored[0], x3[0].flip({2}), 0, 1e-5));
        QVERIFY(torch::allclose(mirrored[1], x3[1].flip({1}), 0, 1e-5));
        // A factor above 1 shrinks the content: zeros come in at the border.
        const auto shrunk = dsa.apply(x3, make_draw(DsaFamily::Scale, f32({1.19f, 1.19f}), f32({1.19f, 1.19f})));
        QVERIFY(shrunk.index({0, 0, 0, 0}).abs().item<float>() < 1e-6f);
    }
    // Rotate.
    {
        QVERIFY(torch::allclose(dsa.apply(x3, make_draw(DsaFamily::Rotate, f32({0.f, 0.f}))), x3, 0, 1e-5));
        // theta = [[cos, -sin], [sin, cos]] (spec 4) at pi/2 samples the output pixel (i, j) from the
        // input pixel (j, W-1-i): torch::rot90 with k = 1 over (H, W); k = -1 is the other way round.
        const auto quarter = static_cast<float>(M_PI / 2);
        const auto out = dsa.apply(x3, make_draw(DsaFamily::Rotate, f32({quarter, quarter})));
        QVERIFY(torch::allclose(out, torch::rot90(x3, 1, {2, 3}), 0, 1e-4));
        QVERIFY(!torch::allclose(out, torch::rot90(x3, -1, {2, 3}), 0, 1e-4));
    }
    // A draw for another batch size is refused.
    bool threw = false;
    try {
        dsa.apply(x3, make_draw(DsaFamily::Flip, f32({0.2f, 0.5f, 0.7f})));
    } catch (const Error&) {
        threw = true;
    }
    QVERIFY(threw);
}

void TestNetwork::dsaDraws() {
    const Dsa dsa("color_crop_cutout_flip_scale_rotate");
    QCOMPARE(dsa.families().size(), size_t(6));
    QVERIFY(dsa.enabled());
    Rng rng(11);
    const std::int64_t B = 16, H = 32, W = 32;
    const double max_angle = 15.0 / 180.0 * M_PI;
    std::map<DsaFamily, int> counts;
    std::vector<torch::Tensor> crops, cut_rows, cut_cols, scales, angles;
    const int n = 600;
    for (int i = 0; i < n; ++i) {
        const auto d = dsa.draw(B, H, W, rng);
        ++counts[d.family];
        QVERIFY(d.a.defined() && d.a.device().is_cpu());
        QVERIFY(sizes_of(d.a) == std::vector<std::int64_t>{B});
        // Per-sample parameters: not one value for the whole batch.
        QVERIFY2(d.a.ne(d.a[0]).any().item<bool>(), to_string(d.family).c_str());
        switch (d.family) {
            case DsaFamily::Color:
                for (const auto& t : {d.a, d.b, d.c}) {
                    QCOMPARE(t.scalar_type(), torch::kFloat32);
                    QVERIFY(sizes_of(t) == std::vector<std::int64_t>{B});
                    QVERIFY(t.min().item<float>() >= 0.f && t.max().item<float>() < 1.f);
                }
                QVERIFY(!torch::equal(d.a, d.b) && !torch::equal(d.b, d.c));
                break;
            case DsaFamily::Crop:
                QCOMPARE(d.a.scalar_type(), torch::kInt64);
                QCOMPARE(d.b.scalar_type(), torch::kInt64);
                crops.push_back(d.a);
                crops.push_back(d.b);
                break;
            case DsaFamily::Cutout:
                QCOMPARE(d.a.scalar_type(), torch::kInt64);
                QCOMPARE(d.b.scalar_type(), torch::kInt64);
                cut_rows.push_back(d.a);
                cut_cols.push_back(d.b);
                break;
            case DsaFamily::Flip:
                QVERIFY(d.a.min().item<float>() >= 0.f && d.a.max().item<float>() < 1.f);
                break;
            case DsaFamily::Scale:
                QVERIFY(sizes_of(d.b) == std::vector<std::int64_t>{B});
                scales.push_back(d.a);
                scales.push_back(d.b);
                break;
            case DsaFamily::Rotate: angles.push_back(d.a); break;
        }
    }
    // Every family is chosen, about equally often (expected 100 each, sd ~9).
    for (auto f : dsa.families()) QVERIFY2(counts[f] > 60 && counts[f] < 140, to_string(f).c_str());

    const auto crop = torch::cat(crops), scale = torch::cat(scales), angle = torch::cat(angles);
    // Crop: shifts in [-4, 4] for 32 pixels, both ends reached.
    QCOMPARE(crop.min().item<std::int64_t>(), std::int64_t(-4));
    QCOMPARE(crop.max().item<std::int64_t>(), std::int64_t(4));
    // Cutout: offsets in [0, 32] for the even size 16, both ends reached.
    for (const auto& cut : {torch::cat(cut_rows), torch::cat(cut_cols)}) {
        QCOMPARE(cut.min().item<std::int64_t>(), std::int64_t(0));
        QCOMPARE(cut.max().item<std::int64_t>(), std::int64_t(32));
    }
    // Scale: [1/1.2, 1.2), nearly covered.
    QVERIFY(scale.min().item<double>() >= 1.0 / 1.2 - 1e-6 && scale.max().item<double>() < 1.2);
    QVERIFY(scale.min().item<double>() < 0.85 && scale.max().item<double>() > 1.18);
    // Rotate: +-15 degrees in radians, nearly covered.
    QVERIFY(angle.abs().max().item<double>() <= max_angle + 1e-6);
    QVERIFY(angle.min().item<double>() < -0.9 * max_angle && angle.max().item<double>() > 0.9 * max_angle);

    // Other sizes: crop +-8 at 64 and +-int(3.5 + 0.5) = +-4 at 28; cutout of odd size 15 (30 rows) draws rows in [0, 29], and
    // columns of the even size 14 (28 columns) in [0, 28].
    {
        const Dsa crop_only("crop");
        std::vector<torch::Tensor> s;
        for (int i = 0; i < 40; ++i) {
            const auto d = crop_only.draw(16, 64, 64, rng);
            QVERIFY(d.family == DsaFamily::Crop);
            s.push_back(d.a);
            s.push_back(d.b);
        }
        const auto all = torch::cat(s);
        QCOMPARE(all.min().item<std::int64_t>(), std::int64_t(-8));
        QCOMPARE(all.max().item<std::int64_t>(), std::int64_t(8));
        std::vector<torch::Tensor> rows28, cols28;
        for (int i = 0; i < 40; ++i) {
            const auto d = crop_only.draw(16, 28, 28, rng);
            rows28.push_back(d.a);
            cols28.push_back(d.b);
        }
        for (const auto& t : {torch::cat(rows28), torch::cat(cols28)}) {
            QCOMPARE(t.min().item<std::int64_t>(), std::int64_t(-4));
            QCOMPARE(t.max().item<std::int64_t>(), std::int64_t(4));
        }

        const Dsa cutout_only("cutout");
        std::vector<torch::Tensor> rows, cols;
        for (int i = 0; i < 40; ++i) {
            const auto d = cutout_only.draw(16, 30, 28, rng);
            rows.push_back(d.a);
            cols.push_back(d.b);
        }
        const auto r = torch::cat(rows), c = torch::cat(cols);
        QCOMPARE(r.min().item<std::int64_t>(), std::int64_t(0));
        QCOMPARE(r.max().item<std::int64_t>(), std::int64_t(29));
        QCOMPARE(c.min().item<std::int64_t>(), std::int64_t(0));
        QCOMPARE(c.max().item<std::int64_t>(), std::int64_t(28));
    }

    // Default strategies: no flip for digits, flip otherwise.
    auto has = [](const std::string& strategy, DsaFamily f) {
        const auto fs = Dsa(strategy).families();
        return std::find(fs.begin(), fs.end(), f) != fs.end();
    };
    QVERIFY(!has(Dsa::default_strategy("mnist"), DsaFamily::Flip));
    QCOMPARE(Dsa(Dsa::default_strategy("mnist")).families().size(), size_t(5));
    QVERIFY(has(Dsa::default_strategy("fashion-mnist"), DsaFamily::Flip));
    QVERIFY(has(Dsa::default_strategy("cifar10"), DsaFamily::Flip));
    QCOMPARE(Dsa(Dsa::default_strategy("cifar10")).families().size(), size_t(6));

    // Unknown families are an Error.
    bool threw = false;
    try {
        Dsa bad("color_blur");
    } catch (const Error& e) {
        threw = true;
        QVERIFY(std::string(e.what()).find("blur") != std::string::npos);
    }
    QVERIFY(threw);

    // Off: nothing happens.
    for (const std::string s : {"none", ""}) {
        const Dsa off(s);
        QVERIFY(!off.enabled());
        const auto x = torch::rand({2, 3, 8, 8});
        Rng r(3);
        const auto out = off(x, r);
        QVERIFY(torch::equal(out, x));
    }
}

void TestNetwork::dsaReplay() {
    const auto x = torch::rand({6, 3, 16, 16});
    for (const char* name : {"color", "crop", "cutout", "flip", "scale", "rotate"}) {
        const Dsa dsa(name);
        Rng rng(99);
        const auto d = dsa.draw(6, 16, 16, rng);
        QCOMPARE(to_string(d.family), std::string(name));
        const auto once = dsa.apply(x, d), twice = dsa.apply(x, d);
        QVERIFY2(torch::equal(once, twice), name);
        QVERIFY2(!torch::equal(once, x), name);  // the draw did something
    }
    // Two streams with the same seed: the same draws and the same images.
    const Dsa dsa("color_crop_cutout_flip_scale_rotate");
    Rng r1(2024), r2(2024);
    auto same = [](const torch::Tensor& a, const torch::Tensor& b) {
        return a.defined() == b.defined() && (!a.defined() || torch::equal(a, b));
    };
    for (int i = 0; i < 30; ++i) {
        const auto d1 = dsa.draw(6, 16, 16, r1), d2 = dsa.draw(6, 16, 16, r2);
        QVERIFY(d1.family == d2.family);
        QVERIFY(same(d1.a, d2.a) && same(d1.b, d2.b) && same(d1.c, d2.c));
        QVERIFY(torch::equal(dsa.apply(x, d1), dsa.apply(x, d2)));
        QVERIFY(torch::equal(dsa(x, r1), dsa(x, r2)));
    }
    // Another seed differs somewhere.
    Rng r3(2025), r4(2024);
    bool differs = false;
    for (int i = 0; i < 5; ++i) differs |= !torch::equal(dsa(x, r3), dsa(x, r4));
    QVERIFY(differs);
}

void TestNetwork::doubleBackwardThroughDsa() {
    const ConvNet net(convnet_spec(3, 8, 8, 3, 4, 2));
    const auto theta = test_theta(net, 8);
    const auto x = torch::rand({2, 3, 8, 8}, torch::kFloat64) * 2 - 1;
    const auto y = torch::tensor(std::vector<std::int64_t>{1, 2}, torch::kInt64);
    const auto v = torch::randn({net.num_params()}, torch::kFloat64);
    const Dsa dsa("color_crop_cutout_flip_scale_rotate");

    const std::vector<DsaDraw> draws = {
        make_draw(DsaFamily::Color, f32({0.8f, 0.3f}), f32({0.2f, 0.9f}), f32({0.7f, 0.1f})),
        make_draw(DsaFamily::Crop, i64({1, -1}), i64({0, 1})),
        make_draw(DsaFamily::Cutout, i64({4, 1}), i64({3, 8})),
        make_draw(DsaFamily::Flip, f32({0.2f, 0.8f})),
        make_draw(DsaFamily::Scale, f32({0.9f, 1.15f}), f32({1.1f, 0.87f})),
        make_draw(DsaFamily::Rotate, f32({0.2f, -0.13f})),
    };
    // With the draw fixed every family is linear (colour: affine) in X: grid_sample's bilinear
    // weights depend only on the grid, which does not depend on X, so its kinks are not crossed
    // by a step in X. The only non-smooth points left are the network's ReLUs, which a step of
    // 1e-6 is unlikely to cross; float64 rounding then leaves the central difference accurate to
    // ~1e-9 relative, far inside 1e-5.
    const double h = 1e-6;
    for (const auto& d : draws) {
        const std::string name = to_string(d.family);
        const auto [gx, gtheta] = grad_dot_gradients(net, theta, x, y, v, &dsa, &d);
        QVERIFY2(gx.defined(), name.c_str());
        const auto dx = torch::randn_like(x);
        const double fd = (grad_dot(net, theta, x + h * dx, y, v, &dsa, &d) -
                           grad_dot(net, theta, x - h * dx, y, v, &dsa, &d)) / (2 * h);
        const double ad = (gx * dx).sum().item<double>();
        QVERIFY2(std::abs(ad) > 1e-6, describe(name + " magnitude", ad, 0).c_str());
        QVERIFY2(rel_err(ad, fd) <= 1e-5, describe(name + ": d(g.v)/dX along a direction", ad, fd).c_str());
        // Cutout: the zeroed pixels get no gradient.
        if (d.family == DsaFamily::Cutout) {
            const auto mask = dsa.apply(torch::ones_like(x), d);
            QVERIFY(torch::equal(gx * (1 - mask), torch::zeros_like(gx)));
        }
    }
}

QTEST_APPLESS_MAIN(TestNetwork)
#include "tst_network.moc"
