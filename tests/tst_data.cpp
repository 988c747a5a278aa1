// Readers on files the tests write (good and corrupt), data set lookup, normalisation, ZCA.
#include "common/torch_pch.h"

#include <QtTest>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#ifdef DISTILLERY_HAVE_OPENCV
#include <opencv2/imgcodecs.hpp>
#endif

#include "common/error.h"
#include "common/header_file.h"
#include "data/dataset.h"
#include "data/transform.h"
#include "distill/synthetic_set.h"
#include "expert/trajectory.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace distillery;

namespace {

using Bytes = std::vector<unsigned char>;

void put_u32(Bytes& b, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<unsigned char>(v >> s));
}

Bytes idx_images(std::uint32_t n, std::uint32_t h, std::uint32_t w) {
    Bytes b{0, 0, 0x08, 3};
    put_u32(b, n);
    put_u32(b, h);
    put_u32(b, w);
    for (std::uint32_t i = 0; i < n * h * w; ++i) b.push_back(static_cast<unsigned char>((i * 7) % 256));
    return b;
}

Bytes idx_labels(std::uint32_t n, std::uint32_t classes = 10) {
    Bytes b{0, 0, 0x08, 1};
    put_u32(b, n);
    for (std::uint32_t i = 0; i < n; ++i) b.push_back(static_cast<unsigned char>(i % classes));
    return b;
}

void write_file(const fs::path& p, const Bytes& b) {
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

void write_gz(const fs::path& p, const Bytes& b) {
    gzFile f = gzopen(p.string().c_str(), "wb");
    gzwrite(f, b.data(), static_cast<unsigned>(b.size()));
    gzclose(f);
}

using distillery::test::expect_error;

Bytes cifar_records(int n, int header, int label_byte, int label_mod) {
    Bytes b;
    for (int r = 0; r < n; ++r) {
        for (int h = 0; h < header; ++h) b.push_back(h == label_byte ? static_cast<unsigned char>(r % label_mod) : 99);
        for (int i = 0; i < 3072; ++i) b.push_back(static_cast<unsigned char>((r + i) % 256));
    }
    return b;
}

}  // namespace

class TestData : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }

private Q_SLOTS:
    void idxPlainAndGzipReadTheSame() {
        write_file(dir() / "i", idx_images(12, 5, 4));
        write_file(dir() / "l", idx_labels(12));
        write_gz(dir() / "i.gz", idx_images(12, 5, 4));
        write_gz(dir() / "l.gz", idx_labels(12));
        const auto plain = read_idx((dir() / "i").string(), (dir() / "l").string(), "t", {});
        const auto gz = read_idx((dir() / "i.gz").string(), (dir() / "l.gz").string(), "t", {});
        QCOMPARE(plain.images.sizes().vec(), (std::vector<std::int64_t>{12, 1, 5, 4}));
        QVERIFY(plain.images.equal(gz.images));
        QVERIFY(plain.labels.equal(gz.labels));
        // Pixel k of the file is (7k mod 256)/255, row-major per image.
        QCOMPARE(plain.images[1][0][2][3].item<float>(), static_cast<float>(((20 + 2 * 4 + 3) * 7) % 256) / 255.0f);
        QCOMPARE(plain.labels[11].item<std::int64_t>(), std::int64_t(1));
        QCOMPARE(plain.labels.scalar_type(), torch::kInt64);
        QVERIFY(plain.images.max().item<float>() <= 1.0f);
    }

    void idxCorruptFilesNameFileAndProblem() {
        const auto labels = (dir() / "ok-labels").string();
        write_file(labels, idx_labels(12));
        auto bad_magic = idx_images(12, 5, 4);
        bad_magic[0] = 0x1f;  // not 00 00
        write_file(dir() / "magic", bad_magic);
        expect_error([&] { read_idx((dir() / "magic").string(), labels, "t", {}); }, {"magic", "bad magic"});

        auto truncated = idx_images(12, 5, 4);
        truncated.resize(truncated.size() - 30);
        write_file(dir() / "short", truncated);
        expect_error([&] { read_idx((dir() / "short").string(), labels, "t", {}); }, {"short", "truncated"});
        write_gz(dir() / "short.gz", truncated);
        expect_error([&] { read_idx((dir() / "short.gz").string(), labels, "t", {}); }, {"short.gz", "truncated"});

        // A gzip file cut in the middle of its compressed stream.
        write_gz(dir() / "cut.gz", idx_images(200, 28, 28));
        const auto full = fs::file_size(dir() / "cut.gz");
        fs::resize_file(dir() / "cut.gz", full / 2);
        expect_error([&] { read_idx((dir() / "cut.gz").string(), labels, "t", {}); }, {"cut.gz"});

        auto extra = idx_images(12, 5, 4);
        extra.push_back(1);
        write_file(dir() / "extra", extra);
        expect_error([&] { read_idx((dir() / "extra").string(), labels, "t", {}); }, {"extra", "unexpected bytes"});

        write_file(dir() / "img", idx_images(12, 5, 4));
        write_file(dir() / "fewer-labels", idx_labels(11));
        expect_error([&] { read_idx((dir() / "img").string(), (dir() / "fewer-labels").string(), "t", {}); },
                     {"fewer-labels", "11 labels", "12 images"});

        auto mislabelled = idx_labels(12);
        mislabelled.back() = 10;
        write_file(dir() / "label10", mislabelled);
        expect_error([&] { read_idx((dir() / "img").string(), (dir() / "label10").string(), "t", {}); },
                     {"label10", "label 10", "record 11", "out of range"});

        expect_error([&] { read_idx((dir() / "nope").string(), labels, "t", {}); }, {"nope", "no such file"});
        // Labels given as the image file: wrong number of dimensions.
        expect_error([&] { read_idx((dir() / "img").string(), (dir() / "img").string(), "t", {}); }, {"1 dimensions"});
    }

    // Headers whose sizes multiply past 2^64 and wrap around to exactly what the file holds:
    // each reader once accepted such a file and then asked LibTorch for an impossible tensor
    // (found while writing the fuzz targets in fuzz/, and confirmed with them).
    void sizeProductsThatWrapAroundAreRefused() {
        // IDX: 4 x 2^31 x 2^31 bytes = 2^64, which wrapped to 0: a header-only file matched.
        Bytes images{0, 0, 0x08, 3};
        put_u32(images, 4);
        put_u32(images, 1u << 31);
        put_u32(images, 1u << 31);
        write_file(dir() / "wrap-images", images);
        write_file(dir() / "wrap-labels", idx_labels(4));
        expect_error([&] { read_idx((dir() / "wrap-images").string(), (dir() / "wrap-labels").string(), "t", {}); },
                     {"wrap-images", "truncated", "more data than any file holds"});

        auto header_only = [&](const std::string& name, const char (&magic)[8],
                               const std::map<std::string, std::string>& header) {
            std::ofstream out(dir() / name, std::ios::binary);
            write_text_header(out, magic, header);
            return (dir() / name).string();
        };
        // .dtraj: 2^22 checkpoints of 2^40 parameters of 4 bytes = 2^64.
        const char traj_magic[8] = {'D', 'S', 'T', 'T', 'R', 'A', 'J', '1'};
        const auto traj = header_only("wrap.dtraj", traj_magic,
                                      {{"params", std::to_string(1LL << 40)}, {"checkpoints", std::to_string(1 << 22)}});
        expect_error([&] { TrajectoryFile::open(traj); }, {"wrap.dtraj", "truncated", "more than any file holds"});
        // .dsyn: 2^32 x 2^32 images (2^64 floats) and 2^32 x 2^30 soft labels: both wrapped to 0 bytes.
        const char syn_magic[8] = {'D', 'S', 'T', 'S', 'Y', 'N', '0', '1'};
        const auto syn = header_only("wrap.dsyn", syn_magic,
                                     {{"n", std::to_string(1LL << 32)}, {"c", std::to_string(1LL << 32)}, {"h", "1"},
                                      {"w", "1"}, {"labels", "soft"}, {"classes", std::to_string(1 << 30)}, {"lr", "0.1"}});
        expect_error([&] { load_synthetic_set(syn); }, {"wrap.dsyn", "truncated", "more data than any file holds"});
    }

    // A .dsyn whose labels could not be class indices or probabilities is refused on reading,
    // not left for the evaluation to trip over.
    void syntheticSetLabelsAreChecked() {
        SyntheticSet set;
        set.images = torch::zeros({2, 1, 3, 3});
        set.labels = torch::tensor({1, -1}, torch::kInt64);
        const auto hard = (dir() / "negative.dsyn").string();
        save_synthetic_set(hard, set);
        expect_error([&] { load_synthetic_set(hard); }, {"negative.dsyn", "negative class index"});
        set.labels = torch::tensor({{0.5f, 0.5f}, {NAN, 1.0f}});
        const auto soft = (dir() / "nan.dsyn").string();
        save_synthetic_set(soft, set);
        expect_error([&] { load_synthetic_set(soft); }, {"nan.dsyn", "soft labels contain NaN"});
        set.labels = torch::tensor({{0.5f, 0.5f}, {0.0f, 1.0f}});
        save_synthetic_set(soft, set);
        QVERIFY(load_synthetic_set(soft).labels.equal(set.labels));
    }

    void idxFolderIsDetected() {
        const auto d = dir() / "my-fashion";
        fs::create_directories(d);
        write_gz(d / "train-images-idx3-ubyte.gz", idx_images(30, 28, 28));
        write_gz(d / "train-labels-idx1-ubyte.gz", idx_labels(30));
        write_file(d / "t10k-images-idx3-ubyte", idx_images(10, 28, 28));
        write_file(d / "t10k-labels-idx1-ubyte", idx_labels(10));
        const auto split = load_dataset(d.string());
        QCOMPARE(split.train.size(), std::int64_t(30));
        QCOMPARE(split.test.size(), std::int64_t(10));
        QCOMPARE(split.train.name, std::string("fashion-mnist"));  // the folder's name says fashion
        QCOMPARE(split.train.classes.at(9), std::string("Ankle boot"));
    }

    void cifar10BinaryFormat() {
        const auto d = dir() / "cifar-10-batches-bin";
        fs::create_directories(d);
        for (int i = 1; i <= 5; ++i)
            write_file(d / ("data_batch_" + std::to_string(i) + ".bin"), cifar_records(4, 1, 0, 10));
        write_file(d / "test_batch.bin", cifar_records(3, 1, 0, 10));
        const auto split = load_dataset(d.string());
        QCOMPARE(split.train.name, std::string("cifar10"));
        QCOMPARE(split.train.images.sizes().vec(), (std::vector<std::int64_t>{20, 3, 32, 32}));
        QCOMPARE(split.test.size(), std::int64_t(3));
        QCOMPARE(split.train.labels[2].item<std::int64_t>(), std::int64_t(2));
        // Record r, channel c, row y, column x is byte (r + c*1024 + y*32 + x) mod 256: channel-major planes.
        QCOMPARE(split.train.images[1][2][3][4].item<float>(), static_cast<float>((1 + 2048 + 96 + 4) % 256) / 255.0f);
        QCOMPARE(split.train.classes.at(0), std::string("airplane"));
        QCOMPARE(load_dataset("cifar10:" + d.string()).train.size(), std::int64_t(20));

        auto truncated = cifar_records(4, 1, 0, 10);
        truncated.resize(truncated.size() - 100);
        write_file(d / "data_batch_3.bin", truncated);
        expect_error([&] { read_cifar10(d.string()); }, {"data_batch_3.bin", "truncated"});
        auto mislabelled = cifar_records(4, 1, 0, 10);
        mislabelled[3073] = 10;
        write_file(d / "data_batch_3.bin", mislabelled);
        expect_error([&] { read_cifar10(d.string()); }, {"data_batch_3.bin", "label 10", "record 1"});
        fs::remove(d / "data_batch_3.bin");
        expect_error([&] { read_cifar10(d.string()); }, {"data_batch_3.bin", "no such file"});
    }

    void cifar100UsesFineLabels() {
        const auto d = dir() / "cifar-100-binary";
        fs::create_directories(d);
        write_file(d / "train.bin", cifar_records(6, 2, 1, 100));
        write_file(d / "test.bin", cifar_records(2, 2, 1, 100));
        const auto split = load_dataset(d.string());
        QCOMPARE(split.train.name, std::string("cifar100"));
        QCOMPARE(split.train.num_classes(), std::int64_t(100));
        QCOMPARE(split.train.labels[5].item<std::int64_t>(), std::int64_t(5));  // fine label, not the coarse 99
        QCOMPARE(split.train.images[1][0][0][0].item<float>(), 1.0f / 255.0f);
        auto mislabelled = cifar_records(2, 2, 1, 100);
        mislabelled[1] = 100;
        write_file(d / "test.bin", mislabelled);
        expect_error([&] { read_cifar100(d.string()); }, {"test.bin", "label 100"});
    }

    void imageFolder() {
#ifdef DISTILLERY_HAVE_OPENCV
        const auto d = dir() / "shapes";
        for (const char* cls : {"circle", "square"}) {
            fs::create_directories(d / cls);
            for (int i = 0; i < 10; ++i) {
                cv::Mat img(20, 24, CV_8UC3, cv::Scalar(cls[0] == 'c' ? 10 : 200, 50, 100 + i));
                QVERIFY(cv::imwrite((d / cls / ("img" + std::to_string(i) + ".png")).string(), img));
            }
        }
        std::ofstream(d / "square" / "notes.txt") << "not an image, ignored";
        auto split = load_dataset("folder:" + d.string() + ":16x16x3");
        QCOMPARE(split.train.classes, (std::vector<std::string>{"circle", "square"}));
        QCOMPARE(split.train.size(), std::int64_t(18));  // every tenth image of each class is held out
        QCOMPARE(split.test.size(), std::int64_t(2));
        QCOMPARE(split.train.images.sizes().vec(), (std::vector<std::int64_t>{18, 3, 16, 16}));
        // OpenCV's BGR becomes RGB: the first stored channel value (10 for circle) is blue.
        QCOMPARE(split.train.images[0][2][5][5].item<float>(), 10.0f / 255.0f);
        QCOMPARE(split.train.labels[17].item<std::int64_t>(), std::int64_t(1));
        const auto gray = read_image_folder(d.string(), 8, 8, 1);
        QCOMPARE(gray.train.channels(), std::int64_t(1));

        std::ofstream(d / "circle" / "broken.png") << "garbage";
        expect_error([&] { read_image_folder(d.string(), 16, 16, 3); }, {"broken.png", "not a readable image"});
#else
        expect_error([&] { read_image_folder(dir().string(), 16, 16, 3); }, {"OpenCV"});
#endif
    }

    void unknownDataSetsAreExplained() {
        expect_error([] { load_dataset("imagenet-21k"); }, {"imagenet-21k"});
        expect_error([] { load_dataset("tiff:/x"); }, {"unknown data set kind 'tiff'"});
        fs::create_directories(dir() / "empty");
        qputenv("DISTILLERY_DATA", (dir() / "empty").string().c_str());
        expect_error([] { load_dataset("cifar100"); }, {"cifar100", "cifar100:DIR"});
        qunsetenv("DISTILLERY_DATA");
    }

    void debianFashionMnistIsFoundWithoutAPath() {
        DISTILLERY_REQUIRE_FASHION_MNIST();
        const auto split = load_dataset("fashion-mnist");
        QCOMPARE(split.train.images.sizes().vec(), (std::vector<std::int64_t>{60000, 1, 28, 28}));
        QCOMPARE(split.test.size(), std::int64_t(10000));
        QCOMPARE(split.train.num_classes(), std::int64_t(10));
        // Fashion-MNIST is balanced: 6000 training images per class.
        QCOMPARE(split.train.labels.eq(3).sum().item<std::int64_t>(), std::int64_t(6000));
        // The published normalisation constants describe this data.
        QVERIFY(std::abs(split.train.images.mean().item<double>() - 0.2861) < 0.001);
        QVERIFY(std::abs(split.train.images.std().item<double>() - 0.3530) < 0.001);

        const auto sub = balanced_subset(split.train, 7, 1);
        QCOMPARE(sub.size(), std::int64_t(70));
        for (int c = 0; c < 10; ++c) QCOMPARE(sub.labels.eq(c).sum().item<std::int64_t>(), std::int64_t(7));
        QVERIFY(sub.images.equal(balanced_subset(split.train, 7, 1).images));
        QVERIFY(!sub.images.equal(balanced_subset(split.train, 7, 2).images));
    }

    void normalizationConstants() {
        Dataset d;
        d.name = "cifar100";
        const auto n = normalization_for(d);
        QCOMPARE(n.mean.size(), size_t(3));
        QCOMPARE(n.mean[0], 0.4914);  // CIFAR-100 uses the CIFAR-10 constants, as the reference code does
        d.name = "mnist";
        QCOMPARE(normalization_for(d).std[0], 0.3081);
        d.name = "own";
        d.images = torch::full({4, 2, 3, 3}, 0.5);
        d.images.select(1, 1).copy_(torch::arange(36, torch::kFloat32).reshape({4, 3, 3}) / 36.0);
        const auto own = normalization_for(d);
        QCOMPARE(own.mean[0], 0.5);
        QVERIFY(own.std[0] > 0);  // a constant channel gets a floor, not a division by zero
        QVERIFY(std::abs(own.mean[1] - d.images.select(1, 1).mean().item<double>()) < 1e-6);

        DataSplit split;
        split.train = d;
        split.train.labels = torch::tensor({0, 1, 0, 1}, torch::kInt64);
        split.train.classes = {"a", "b"};
        split.test = split.train;
        const auto p = prepare(split, false);
        QVERIFY(p.transform.to_pixels(p.train_x).allclose(d.images, 1e-5, 1e-6));
        QVERIFY(std::abs(p.train_x.select(1, 1).mean().item<double>()) < 1e-5);
    }

    void zcaMatchesReferenceSemantics() {
        torch::manual_seed(3);
        // Correlated data: 400 samples of 2x3x2 = 12 values.
        const auto mix = torch::randn({12, 12}, torch::kFloat64);
        const auto train = (torch::randn({400, 12}, torch::kFloat64).mm(mix) * 0.1 + 0.4).reshape({400, 2, 3, 2});
        const auto zca = Zca::fit(train.to(torch::kFloat32));
        // Independent reference: kornia's formula with an SVD of the unbiased covariance.
        const auto x = train.reshape({400, 12});
        const auto mu = x.mean(0);
        const auto cov = (x - mu).t().mm(x - mu) / 399.0;
        const auto [u, s, vh] = at::linalg_svd(cov, /*full_matrices=*/false);  // torch/linalg.h: not in Debian 13
        const auto t = u.mm(torch::diag((s + 0.1).rsqrt())).mm(u.t());
        QVERIFY(zca.whiten.to(torch::kFloat64).allclose(t, 1e-4, 1e-4));
        QVERIFY(zca.mean.to(torch::kFloat64).allclose(mu, 1e-5, 1e-6));
        // The whitened training covariance is U diag(S/(S+eps)) U^T (soft whitening), not I.
        const auto z = zca.apply(train.to(torch::kFloat32)).reshape({400, 12}).to(torch::kFloat64);
        const auto zcov = z.t().mm(z) / 399.0;
        QVERIFY(zcov.allclose(u.mm(torch::diag(s / (s + 0.1))).mm(u.t()), 1e-4, 1e-4));
        QVERIFY(z.mean(0).abs().max().item<double>() < 1e-4);
        // Inverse round trip, on data it was not fitted on (the test split uses the training mu and T).
        const auto other = torch::rand({7, 2, 3, 2});
        QVERIFY(zca.invert(zca.apply(other)).allclose(other, 1e-4, 1e-4));
        QVERIFY(zca.apply(zca.mean.reshape({1, 2, 3, 2})).abs().max().item<float>() < 1e-5);
        expect_error([&] { zca.apply(torch::rand({2, 3, 3, 3})); }, {"fitted on images of 12 values"});
    }

    void zcaPreparedSplitsUseTrainingFit() {
        DataSplit split;
        split.train.name = "own";
        split.train.images = torch::rand({50, 1, 4, 4});
        split.train.labels = torch::arange(50, torch::kInt64) % 2;
        split.train.classes = {"a", "b"};
        split.test = split.train;
        split.test.images = torch::rand({9, 1, 4, 4});
        split.test.labels = torch::arange(9, torch::kInt64) % 2;
        const auto p = prepare(split, true);
        QVERIFY(p.transform.is_zca());
        const auto z = Zca::fit(split.train.images);
        QVERIFY(p.test_x.allclose(z.apply(split.test.images), 1e-5, 1e-5));
        QVERIFY(p.transform.to_pixels(p.test_x).allclose(split.test.images, 1e-4, 1e-4));
    }
};

QTEST_APPLESS_MAIN(TestData)
#include "tst_data.moc"
