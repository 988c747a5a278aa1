#pragma once
// What several suites need: error-message checks and a small slice of Fashion-MNIST.
#include <QtTest>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>

#include "common/error.h"
#include "data/dataset.h"
#include "data/transform.h"

namespace distillery::test {

// Passes when `fn` throws a distillery::Error whose message contains every one of `parts`.
template <class Fn>
void expect_error(Fn fn, std::initializer_list<std::string> parts) {
    try {
        fn();
    } catch (const Error& e) {
        const std::string msg = e.what();
        for (const auto& part : parts)
            QVERIFY2(msg.find(part) != std::string::npos, ("'" + part + "' not in: " + msg).c_str());
        return;
    }
    QFAIL("no distillery::Error was thrown");
}

inline bool have_fashion_mnist() {
    return std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
}

// `per_class` training images of each class (a balanced draw with `seed`) and the first
// `test_count` test images of Fashion-MNIST, normalised. Check have_fashion_mnist() first.
inline PreparedData small_fashion_mnist(std::int64_t per_class, std::int64_t test_count, std::uint64_t seed = 1) {
    auto split = load_dataset("fashion-mnist");
    split.train = balanced_subset(split.train, per_class, seed);
    split.test.images = split.test.images.narrow(0, 0, test_count);
    split.test.labels = split.test.labels.narrow(0, 0, test_count);
    return prepare(split, false);
}

}  // namespace distillery::test

// The QSKIP each test that reads Fashion-MNIST starts with. A suite's initTestCase loads its slice
// only where the data set is installed, so that the suite's other tests run either way.
#define DISTILLERY_REQUIRE_FASHION_MNIST()                                                        \
    do {                                                                                          \
        if (!distillery::test::have_fashion_mnist())                                              \
            QSKIP("dataset-fashion-mnist is not installed (scripts/setup-debian.sh installs it)"); \
    } while (false)
