#pragma once
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace distillery {

// One explicit random stream per object that draws. The mapping from engine output to numbers is
// our own (not std::uniform_*_distribution, whose algorithm differs between standard libraries),
// so the same seed gives the same draws on every machine and LibTorch version, and the state can
// be saved in a checkpoint and restored.
class Rng {
public:
    explicit Rng(std::uint64_t seed = 0) : engine_(seed) {}

    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

    // Uniform integer in [lo, hi], both ends included (unbiased, by rejection).
    std::int64_t integer(std::int64_t lo, std::int64_t hi) {
        const std::uint64_t span = static_cast<std::uint64_t>(hi - lo) + 1;
        if (span == 0) return lo + static_cast<std::int64_t>(engine_());
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % span;
        std::uint64_t r;
        do { r = engine_(); } while (r >= limit);
        return lo + static_cast<std::int64_t>(r % span);
    }

    // A uniformly random permutation of 0..n-1 (Fisher-Yates).
    std::vector<std::int64_t> permutation(std::int64_t n) {
        std::vector<std::int64_t> p(static_cast<size_t>(n));
        for (std::int64_t i = 0; i < n; ++i) p[i] = i;
        for (std::int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[integer(0, i)]);
        return p;
    }

    // A seed for a child stream, so that parts of a job draw independently of each other.
    std::uint64_t fork_seed() { return engine_(); }

    std::string state() const { std::ostringstream s; s << engine_; return s.str(); }
    // Continues from a state() text. Returns false, and leaves the stream as it was, when `state`
    // is not one (a checkpoint reader must not trust its input).
    [[nodiscard]] bool restore(const std::string& state) {
        std::istringstream s(state);
        std::mt19937_64 engine;
        if (!(s >> engine)) return false;
        s >> std::ws;
        if (!s.eof()) return false;
        engine_ = engine;
        return true;
    }

private:
    std::mt19937_64 engine_;
};

}  // namespace distillery
