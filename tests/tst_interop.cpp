// PyTorch interop against the real thing: files exported here are loaded by Python's torch.load,
// and files Python's torch.save writes (MTT replay buffers, images_best.pt / labels_best.pt /
// lr_best.pt) are imported here and compared bit for bit with what Python meant to write.
// Malformed files must give a distillery::Error that says what is wrong.
#include "common/torch_pch.h"

#include <QtTest>

#include <QProcess>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "distill/synthetic_set.h"
#include "expert/trajectory.h"
#include "interop/pytorch_files.h"
#include "nn/convnet.h"
#include "test_support.h"
#include "tiny_fixtures.h"

namespace fs = std::filesystem;
using namespace distillery;

namespace {

const char* kPython = "/usr/bin/python3";  // Debian's, with python3-torch; `python3` on PATH may lack torch

struct Result {
    int code = -1;
    QString out, err;
};

Result run(const QString& program, const QStringList& args, int timeout_ms = 120000) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted()) return {-1, "", program + " cannot be started"};
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

Result python(const QString& script, const QStringList& args) { return run(kPython, QStringList{"-c", script} + args); }

using distillery::test::expect_error;

// Raw little-endian values as Python's numpy tofile() writes them.
at::Tensor read_raw(const fs::path& p, at::ScalarType type) {
    std::ifstream in(p, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto es = static_cast<std::int64_t>(c10::elementSize(type));
    return torch::from_blob(const_cast<char*>(bytes.data()), {static_cast<std::int64_t>(bytes.size()) / es}, type).clone();
}

void write_bytes(const fs::path& p, const std::vector<char>& b) {
    std::ofstream(p, std::ios::binary).write(b.data(), static_cast<std::streamsize>(b.size()));
}

std::vector<char> read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The tiny ConvNet the Python buffers are made for: Fashion-MNIST-shaped input, width 4, depth 2.
ConvNetSpec tiny_net(std::int64_t width = 4) { return fixtures::convnet_spec(1, 28, 28, 10, width, 2); }

// "4x1x3x3,4,4,4,..." for the Python side.
QString layout_arg(const ConvNetSpec& spec) {
    QStringList shapes;
    const ConvNet net(spec);
    for (const auto& slot : net.layout()) {
        QStringList dims;
        for (auto d : slot.shape) dims << QString::number(d);
        shapes << dims.join("x");
    }
    return shapes.join(",");
}

// Python writes every fixture once: buffers (valid, and malformed in the ways a user can get
// wrong), synthetic sets, and next to each valid one the float32/int64 values it holds as raw
// bytes, which the tests compare with what was imported.
const char* kFixtures = R"PY(
import sys, os, torch, numpy as np
out, layout = sys.argv[1], sys.argv[2]
shapes = [tuple(int(d) for d in s.split("x")) for s in layout.split(",")]
g = torch.Generator().manual_seed(5)
def params(dtype=torch.float32):
    return [torch.randn(s, generator=g, dtype=dtype) for s in shapes]
def raw(tensors, name):
    with open(os.path.join(out, name), "wb") as f:
        for t in tensors:
            f.write(t.detach().float().contiguous().numpy().tobytes() if t.is_floating_point() else t.long().numpy().tobytes())

# Two experts of 3 checkpoints (the initialisation and two epochs). Expert 0 epoch 2 holds a
# transposed (non-contiguous) fc.weight; expert 1 epoch 1 is views into one flat vector, as MTT's
# ReparamModule holds them; expert 1 epoch 2 is float64.
buf = [[params() for _ in range(3)] for _ in range(2)]
w = buf[0][2][-2]
buf[0][2][-2] = w.t().contiguous().t()
assert not buf[0][2][-2].is_contiguous()
flat = torch.randn(sum(int(np.prod(s)) for s in shapes), generator=g)
views, at = [], 0
for s in shapes:
    n = int(np.prod(s)); views.append(flat[at:at + n].view(s)); at += n
buf[1][1] = views
buf[1][2] = params(torch.float64)
torch.save(buf, os.path.join(out, "replay_buffer_0.pt"))
raw([torch.cat([p.reshape(-1) for p in epoch]) for expert in buf for epoch in expert], "replay_buffer_0.raw")

bad = [[params() for _ in range(3)] for _ in range(2)]
bad[1][2][5] = torch.zeros(7)
torch.save(bad, os.path.join(out, "wrong_shape.pt"))
torch.save([params() for _ in range(2)], os.path.join(out, "no_epochs.pt"))
torch.save({"experts": buf}, os.path.join(out, "dict.pt"))
torch.save([[params() for _ in range(2)], [params(), params()[:-1]]], os.path.join(out, "missing_param.pt"))
ints = [[params() for _ in range(2)]]
ints[0][1][0] = torch.zeros(shapes[0], dtype=torch.long)
torch.save(ints, os.path.join(out, "int_param.pt"))
nan = [[params() for _ in range(2)] for _ in range(2)]
nan[1][1][3][0] = float("nan")
torch.save(nan, os.path.join(out, "nan.pt"))
torch.save([[params()]], os.path.join(out, "one_checkpoint.pt"))
torch.save(buf, os.path.join(out, "legacy.pt"), _use_new_zipfile_serialization=False)
torch.save(np.zeros(3), os.path.join(out, "numpy.pt"))

# Synthetic sets as MTT/DATM's distill.py saves them: hard labels with a 0-dim float32 lr, and
# soft labels (float64 probabilities) with the lr as a Python float (syn_lr.item()).
images = torch.randn(5, 1, 6, 6, generator=g)
hard = torch.arange(5) % 3
soft = torch.softmax(torch.randn(5, 3, generator=g, dtype=torch.float64), 1)
os.makedirs(os.path.join(out, "hard"))
torch.save(images, os.path.join(out, "hard", "images_best.pt"))
torch.save(hard, os.path.join(out, "hard", "labels_best.pt"))
torch.save(torch.tensor(0.0321), os.path.join(out, "hard", "lr_best.pt"))
torch.save(images.double(), os.path.join(out, "images_f64.pt"))
torch.save(soft, os.path.join(out, "soft_labels.pt"))
torch.save(0.0123, os.path.join(out, "lr_float.pt"))
raw([images], "images.raw"); raw([hard], "hard.raw"); raw([soft], "soft.raw")
torch.save(images[0], os.path.join(out, "images_3d.pt"))
torch.save(torch.randn(5, 3, generator=g), os.path.join(out, "logits.pt"))
torch.save(hard.float(), os.path.join(out, "float_hard.pt"))
torch.save(hard[:4], os.path.join(out, "four_labels.pt"))
torch.save((images * 100).long(), os.path.join(out, "int_images.pt"))
torch.save([0.1], os.path.join(out, "lr_list.pt"))
# 753 bytes that once made the reader copy out 2^40 floats (found with fuzz/fuzz_pt's target).
torch.save(torch.zeros(1, 1, 1, 1).expand(1024, 1024, 1024, 1024), os.path.join(out, "expanded.pt"))
print(float(torch.tensor(0.0321)).hex())
# Where the first tensor's data lies in the buffer's zip (local header + name + padding), for the
# test that damages one byte of it.
import zipfile, struct
path = os.path.join(out, "replay_buffer_0.pt")
info = zipfile.ZipFile(path).getinfo("replay_buffer_0/data/0")
with open(path, "rb") as f:
    head = f.read()[info.header_offset:info.header_offset + 30]
print(info.header_offset + 30 + sum(struct.unpack("<HH", head[26:30])))
)PY";

// Loads the exported files with torch.load(weights_only=True) and reports each one's type,
// shape and storage size, writing its values as raw bytes next to it.
const char* kLoadExport = R"PY(
import sys, os, torch
d = sys.argv[1]
for name in ("images_best.pt", "labels_best.pt", "lr_best.pt"):
    t = torch.load(os.path.join(d, name), weights_only=True)
    assert type(t) is torch.Tensor, type(t)
    print(name, str(t.dtype), list(t.shape), t.storage().size(), t.is_contiguous())
    with open(os.path.join(d, name + ".raw"), "wb") as f:
        f.write(t.contiguous().numpy().tobytes())
print("lr", torch.load(os.path.join(d, "lr_best.pt")).item().hex())
)PY";

}  // namespace

class TestInterop : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    fs::path fixtures_;
    double python_lr_ = 0;  // the float32 0.0321 Python saved, as a double
    std::int64_t first_tensor_at_ = 0;  // byte offset of replay_buffer_0.pt's first tensor data

    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    fs::path fixture(const std::string& name) const { return fixtures_ / name; }
    bool has_torch_ = false;  // /usr/bin/python3 ran the fixture script, so it has torch

    void need_python() const {
        if (!has_torch_) QSKIP("/usr/bin/python3 cannot import torch (scripts/setup-debian.sh installs python3-torch)");
    }

    // An IDX data set in dir()/name: 10 training and 10 test images of 1 x size x size, labels 0, 1, 2
    // in turn (three classes).
    fs::path tiny_idx_data(const std::string& name, unsigned char size) const {
        const auto data = dir() / name;
        fs::create_directories(data);
        auto idx = [&](const std::string& file, std::vector<unsigned char> dims, std::vector<char> payload) {
            std::vector<char> b{0, 0, 8, static_cast<char>(dims.size() / 4)};
            b.insert(b.end(), dims.begin(), dims.end());
            b.insert(b.end(), payload.begin(), payload.end());
            write_bytes(data / file, b);
        };
        for (const char* split : {"train", "t10k"}) {
            idx(std::string(split) + "-images-idx3-ubyte", {0, 0, 0, 10, 0, 0, 0, size, 0, 0, 0, size},
                std::vector<char>(10 * size * size, 1));
            idx(std::string(split) + "-labels-idx1-ubyte", {0, 0, 0, 10}, {0, 1, 2, 0, 1, 2, 0, 1, 2, 0});
        }
        return data;
    }

    SyntheticSet sample_set(bool soft) const {
        torch::manual_seed(11);
        SyntheticSet set;
        // A view into a larger tensor, so the export has to write only the set's own values.
        set.images = torch::randn({8, 3, 5, 4}).narrow(0, 1, 6);
        set.labels = soft ? torch::softmax(torch::randn({6, 4}), 1) : torch::tensor({3, 0, 1, 2, 3, 1}, torch::kInt64);
        set.lr = 0.012345678901234567;
        return set;
    }

private Q_SLOTS:
    void initTestCase() {
        fixtures_ = dir() / "fixtures";
        fs::create_directories(fixtures_);
        const auto r = python(kFixtures, {QString::fromStdString(fixtures_.string()), layout_arg(tiny_net())});
        // Without Python or its torch the Python-facing tests skip; any other failure is one.
        if (r.code == -1 || r.err.contains("No module named 'torch'")) return;
        QVERIFY2(r.code == 0, qPrintable(r.err));
        has_torch_ = true;
        const auto lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        python_lr_ = std::strtod(lines[0].toStdString().c_str(), nullptr);
        QVERIFY(python_lr_ > 0.03);
        first_tensor_at_ = lines[1].toLongLong();
        QVERIFY(first_tensor_at_ > 0);
    }

    void exportIsReadByTorchLoad() {
        need_python();
        for (const bool soft : {false, true}) {
            const auto set = sample_set(soft);
            const auto out = dir() / (soft ? "export-soft" : "export-hard");
            const auto paths = export_synthetic_set_pt(set, out.string());
            QCOMPARE(paths.images, (out / "images_best.pt").string());
            for (const auto& entry : fs::directory_iterator(out))
                QVERIFY2(entry.path().extension() == ".pt", entry.path().c_str());  // no temporary files left
            const auto r = python(kLoadExport, {QString::fromStdString(out.string())});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            const auto lines = r.out.trimmed().split('\n');
            QCOMPARE(lines.size(), 4);
            // The images are the 6 of the view, stored alone: the storage holds exactly 6x3x5x4 values.
            QCOMPARE(lines[0], QString("images_best.pt torch.float32 [6, 3, 5, 4] 360 True"));
            QCOMPARE(lines[1], soft ? QString("labels_best.pt torch.float32 [6, 4] 24 True")
                                    : QString("labels_best.pt torch.int64 [6] 6 True"));
            QCOMPARE(lines[2], QString("lr_best.pt torch.float64 [] 1 True"));
            QVERIFY(read_raw(out / "images_best.pt.raw", torch::kFloat32).equal(set.images.reshape({-1})));
            QVERIFY(read_raw(out / "labels_best.pt.raw", soft ? torch::kFloat32 : torch::kInt64)
                        .equal(set.labels.reshape({-1})));
            // The lr arrives as the same double, to the last bit.
            QCOMPARE(std::strtod(lines[3].split(' ')[1].toStdString().c_str(), nullptr), set.lr);
        }
    }

    void exportThenImportRoundTrips() {
        for (const bool soft : {false, true}) {
            const auto set = sample_set(soft);
            const auto out = dir() / (soft ? "round-soft" : "round-hard");
            const auto paths = export_synthetic_set_pt(set, out.string());
            const auto back = read_synthetic_set_pt(paths.images, paths.labels, paths.lr, 0.5);
            QVERIFY(back.images.equal(set.images));
            QVERIFY(back.labels.equal(set.labels));
            QCOMPARE(back.lr, set.lr);
            QCOMPARE(back.info.at("source"), std::string("images_best.pt"));
        }
        // Without an lr file the caller's default is used.
        const auto paths = export_synthetic_set_pt(sample_set(false), (dir() / "round-hard").string());
        QCOMPARE(read_synthetic_set_pt(paths.images, paths.labels, "", 0.5).lr, 0.5);
    }

    void pythonReplayBufferArrivesExactly() {
        need_python();
        const auto net = tiny_net();
        const auto store_dir = (dir() / "experts").string();
        const std::map<std::string, std::string> header = {{"dataset", "fashion-mnist"}, {"transform", "normalize"},
                                                           {"lr_teacher", "0.01"}};
        const auto imported = import_replay_buffer(fixture("replay_buffer_0.pt").string(), net, header, store_dir);
        QCOMPARE(imported.first_index, std::int64_t(0));
        QCOMPARE(imported.written.size(), size_t(2));
        const ConvNet convnet(net);
        const auto expected = read_raw(fixture("replay_buffer_0.raw"), torch::kFloat32).reshape({2, 3, convnet.num_params()});
        const ExpertStore store(store_dir);
        QCOMPARE(store.count(), std::int64_t(2));
        for (std::int64_t e = 0; e < 2; ++e) {
            const auto t = store.open(e);
            QCOMPARE(t.checkpoints(), std::int64_t(3));
            QCOMPARE(t.params(), convnet.num_params());
            QCOMPARE(t.value("net"), net.describe());
            QCOMPARE(t.value("train_epochs"), std::string("2"));
            QCOMPARE(t.value("transform"), std::string("normalize"));
            QCOMPARE(t.value("source"), "replay_buffer_0.pt expert " + std::to_string(e));
            for (std::int64_t c = 0; c < 3; ++c)
                QVERIFY2(t.checkpoint(c).equal(expected[e][c]),
                         ("expert " + std::to_string(e) + " checkpoint " + std::to_string(c)).c_str());
        }
        // A second buffer continues the numbering; a folder of other experts is refused.
        const auto again = import_replay_buffer(fixture("replay_buffer_0.pt").string(), net, header, store_dir);
        QCOMPARE(again.first_index, std::int64_t(2));
        QCOMPARE(store.count(), std::int64_t(4));
        QVERIFY(store.open(3).checkpoint(2).equal(expected[1][2]));
        auto zca = header;
        zca["transform"] = "zca";
        expect_error([&] { import_replay_buffer(fixture("replay_buffer_0.pt").string(), net, zca, store_dir); },
                     {"expert_0000.dtraj", "transform = 'normalize'", "'zca'"});
        QCOMPARE(store.count(), std::int64_t(4));
    }

    void malformedBuffersAreRefusedByName() {
        need_python();
        const auto net = tiny_net();
        const auto store_dir = (dir() / "refused").string();
        auto import = [&](const std::string& name) {
            import_replay_buffer(fixture(name).string(), net, {}, store_dir);
        };
        const auto layout = ConvNet(net).layout();
        expect_error([&] { import("wrong_shape.pt"); },
                     {"wrong_shape.pt", "expert 1, epoch 2, parameter 5 (" + layout[5].name + ")", "has shape [7]",
                      "needs [4]"});
        expect_error([&] { import_replay_buffer(fixture("replay_buffer_0.pt").string(), tiny_net(8), {}, store_dir); },
                     {"replay_buffer_0.pt", "expert 0, epoch 0, parameter 0 (conv0.weight)", "has shape [4, 1, 3, 3]",
                      "needs [8, 1, 3, 3]"});
        expect_error([&] { import("no_epochs.pt"); }, {"no_epochs.pt", "expert 0, epoch 0 is a tensor, not a list"});
        expect_error([&] { import("dict.pt"); }, {"dict.pt", "holds a dict, not a list of experts"});
        expect_error([&] { import("missing_param.pt"); },
                     {"expert 1, epoch 1 has " + std::to_string(layout.size() - 1) + " parameter tensors",
                      "has " + std::to_string(layout.size())});
        expect_error([&] { import("int_param.pt"); }, {"expert 0, epoch 1, parameter 0", "int64 tensor, not floating"});
        expect_error([&] { import("one_checkpoint.pt"); }, {"expert 0 has 1 checkpoint"});
        expect_error([&] { import("legacy.pt"); }, {"legacy.pt", "legacy format"});
        expect_error([&] { import("numpy.pt"); }, {"numpy.pt", "numpy"});
        // Expert 0 is fine and written before expert 1's NaN is read; it is removed again.
        expect_error([&] { import("nan.pt"); }, {"nan.pt", "expert 1, epoch 1 holds NaN"});
        QCOMPARE(ExpertStore(store_dir).count(), std::int64_t(0));

        // Damaged files: cut short, a flipped byte in the tensor data, not a zip at all.
        const auto good = read_bytes(fixture("replay_buffer_0.pt"));
        for (const size_t keep : {good.size() - 10, good.size() / 2, size_t(100), size_t(3)}) {
            write_bytes(dir() / "cut.pt", std::vector<char>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(keep)));
            expect_error([&] { import_replay_buffer((dir() / "cut.pt").string(), net, {}, store_dir); }, {"cut.pt"});
        }
        auto flipped = good;
        flipped[static_cast<size_t>(first_tensor_at_) + 1] ^= 0x40;
        write_bytes(dir() / "flipped.pt", flipped);
        expect_error([&] { import_replay_buffer((dir() / "flipped.pt").string(), net, {}, store_dir); },
                     {"flipped.pt", "CRC"});
        write_bytes(dir() / "text.pt", {'h', 'e', 'l', 'l', 'o'});
        expect_error([&] { import_replay_buffer((dir() / "text.pt").string(), net, {}, store_dir); },
                     {"text.pt", "not a torch.save file"});
        expect_error([&] { import_replay_buffer((dir() / "absent.pt").string(), net, {}, store_dir); },
                     {"absent.pt", "no such file"});
        QCOMPARE(ExpertStore(store_dir).count(), std::int64_t(0));
    }

    void pythonSyntheticSetArrivesExactly() {
        need_python();
        const auto hard = fixtures_ / "hard";
        const auto set = read_synthetic_set_pt((hard / "images_best.pt").string(), (hard / "labels_best.pt").string(),
                                               (hard / "lr_best.pt").string(), 0.5);
        const auto images = read_raw(fixture("images.raw"), torch::kFloat32);
        QCOMPARE(set.images.sizes().vec(), (std::vector<std::int64_t>{5, 1, 6, 6}));
        QVERIFY(set.images.reshape({-1}).equal(images));
        QCOMPARE(set.labels.scalar_type(), torch::kInt64);
        QVERIFY(set.labels.equal(read_raw(fixture("hard.raw"), torch::kInt64)));
        QCOMPARE(set.lr, python_lr_);  // the float32 0-dim tensor, widened exactly

        // float64 images and soft labels arrive as float32; a Python float is an lr too.
        const auto soft = read_synthetic_set_pt(fixture("images_f64.pt").string(), fixture("soft_labels.pt").string(),
                                                fixture("lr_float.pt").string(), 0.5);
        QVERIFY(soft.images.reshape({-1}).equal(images));
        QCOMPARE(soft.labels.scalar_type(), torch::kFloat32);
        QVERIFY(soft.labels.reshape({-1}).equal(read_raw(fixture("soft.raw"), torch::kFloat32)));
        QCOMPARE(soft.lr, 0.0123);
    }

    void malformedSyntheticSetsAreRefused() {
        need_python();
        const auto images = fixture("hard/images_best.pt").string(), labels = fixture("hard/labels_best.pt").string();
        auto read = [](const std::string& i, const std::string& l, const std::string& lr = "") {
            read_synthetic_set_pt(i, l, lr, 0.1);
        };
        expect_error([&] { read(fixture("images_3d.pt").string(), labels); },
                     {"images_3d.pt", "must be [N, C, H, W], not [1, 6, 6]"});
        expect_error([&] { read(fixture("int_images.pt").string(), labels); }, {"int_images.pt", "int64", "floating point"});
        expect_error([&] { read(images, fixture("logits.pt").string()); }, {"logits.pt", "must be probabilities", "softmax"});
        expect_error([&] { read(images, fixture("float_hard.pt").string()); }, {"float_hard.pt", "must be integers"});
        expect_error([&] { read(images, fixture("four_labels.pt").string()); }, {"four_labels.pt", "[4]", "5 images"});
        expect_error([&] { read(images, labels, fixture("lr_list.pt").string()); }, {"lr_list.pt", "holds a list"});
        expect_error([&] { read(fixture("expanded.pt").string(), labels); },
                     {"expanded.pt", "[1024, 1024, 1024, 1024] tensor repeats the 1 elements", "contiguous()"});
        expect_error([&] { read(images, fixture("replay_buffer_0.pt").string()); },
                     {"replay_buffer_0.pt", "holds a list, not a tensor of labels"});
    }

    void cliImportsAndExports() {
        need_python();
        // import-synthetic from the folder Python wrote, then export-pt of the result, and back.
        // The set is checked against the data set it claims to be of: one of its 6x6 images.
        const auto data = QString::fromStdString("idx:" + tiny_idx_data("idx6", 6).string());
        const auto dsyn = dir() / "cli" / "imported.dsyn";
        auto r = run(DISTILLERY_CLI, {"import-synthetic", QString::fromStdString((fixtures_ / "hard").string()), "--out",
                                      QString::fromStdString(dsyn.string()), "--data", data});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("5 images of 1x6x6, hard labels"), qPrintable(r.out));
        const auto set = load_synthetic_set(dsyn.string());
        QCOMPARE(set.lr, python_lr_);
        QCOMPARE(set.info.at("transform"), std::string("normalize"));
        const auto out = dir() / "cli" / "pt";
        r = run(DISTILLERY_CLI, {"export-pt", "--synthetic", QString::fromStdString(dsyn.string()), "--out",
                                 QString::fromStdString(out.string())});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(read_bytes(out / "images_best.pt").size() > 0);
        const auto back = read_synthetic_set_pt((out / "images_best.pt").string(), (out / "labels_best.pt").string(),
                                                (out / "lr_best.pt").string(), 0);
        QVERIFY(back.images.equal(set.images));
        QVERIFY(back.labels.equal(set.labels));
        QCOMPARE(back.lr, set.lr);

        r = run(DISTILLERY_CLI, {"import-synthetic", "--images", QString::fromStdString(fixture("images_3d.pt").string()),
                                 "--labels", QString::fromStdString(fixture("hard/labels_best.pt").string()), "--out",
                                 QString::fromStdString((dir() / "cli" / "bad.dsyn").string()), "--data", data});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("images_3d.pt: the images must be [N, C, H, W]"), qPrintable(r.err));
        QVERIFY(!fs::exists(dir() / "cli" / "bad.dsyn"));
    }

    void cliImportsExpertsForTheSettingsNetwork() {
        need_python();
        // A tiny IDX data set of Fashion-MNIST's shape: the settings' data gives the network's input.
        const auto data = tiny_idx_data("idx", 28);
        const auto experts = dir() / "cli-experts";
        const QStringList common{"--data", QString::fromStdString("idx:" + data.string()), "--set", "net_width=4",
                                 "--set", "net_depth=2", "--experts", QString::fromStdString(experts.string()), "--quiet"};
        auto r = run(DISTILLERY_CLI, QStringList{"import-experts", QString::fromStdString(fixture("replay_buffer_0.pt").string()),
                                                 "--set", "train_epochs=2"} + common);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("2 experts of 2 epochs as expert_0000.dtraj .. expert_0001.dtraj"), qPrintable(r.out));
        QVERIFY2(!r.err.contains("note:"), qPrintable(r.err));
        QCOMPARE(ExpertStore(experts.string()).count(), std::int64_t(2));
        QCOMPARE(ExpertStore(experts.string()).open(1).value("dataset"), std::string("idx"));
        QCOMPARE(ExpertStore(experts.string()).open(1).value("expert_optimizer"), std::string("sgd"));
        // DATM's buffers are GSAM experts: said by the settings, recorded, and kept apart from SGD ones.
        r = run(DISTILLERY_CLI, QStringList{"import-experts", QString::fromStdString(fixture("replay_buffer_0.pt").string()),
                                            "--set", "train_epochs=2", "--set", "expert_optimizer=gsam"} + common);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("expert_optimizer = 'sgd', the imported ones would have 'gsam'"), qPrintable(r.err));
        QCOMPARE(ExpertStore(experts.string()).open(1).value("expert_lr_schedule"), std::string("constant"));
        r = run(DISTILLERY_CLI, QStringList{"import-experts", QString::fromStdString(fixture("replay_buffer_0.pt").string()),
                                            "--set", "train_epochs=2", "--set", "expert_lr_schedule=cosine"} + common);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("expert_lr_schedule = 'constant', the imported ones would have 'cosine'"), qPrintable(r.err));
        const auto gsam_experts = dir() / "cli-experts-gsam";
        r = run(DISTILLERY_CLI, QStringList{"import-experts", QString::fromStdString(fixture("replay_buffer_0.pt").string()),
                                            "--data", QString::fromStdString("idx:" + data.string()), "--set", "net_width=4",
                                            "--set", "net_depth=2", "--set", "train_epochs=2", "--set",
                                            "expert_optimizer=gsam", "--experts", QString::fromStdString(gsam_experts.string()),
                                            "--quiet"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(ExpertStore(gsam_experts.string()).open(0).value("expert_optimizer"), std::string("gsam"));
        QCOMPARE(ExpertStore(gsam_experts.string()).open(0).value("gsam_alpha"), std::string("0.3"));

        r = run(DISTILLERY_CLI, QStringList{"import-experts", QString::fromStdString(fixture("replay_buffer_0.pt").string()),
                                            "--data", QString::fromStdString("idx:" + data.string()), "--set",
                                            "net_width=8", "--set", "net_depth=2", "--experts",
                                            QString::fromStdString((dir() / "cli-experts-8").string())});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("expert 0, epoch 0, parameter 0 (conv0.weight) has shape [4, 1, 3, 3]") &&
                     r.err.contains("needs [8, 1, 3, 3]"),
                 qPrintable(r.err));
        r = run(DISTILLERY_CLI, QStringList{"import-experts"} + common);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("needs one or more buffer files"), qPrintable(r.err));
    }
};

QTEST_APPLESS_MAIN(TestInterop)
#include "tst_interop.moc"
