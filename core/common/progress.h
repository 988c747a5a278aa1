#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace distillery {

// A long job (expert generation, evaluation) reports through this. `done` of `total` units are
// finished after `elapsed_s` seconds; `detail` is a short human line ("expert 2/4, epoch 3, loss 0.41").
struct Progress {
    std::string task;
    std::int64_t done = 0;
    std::int64_t total = 0;
    double elapsed_s = 0;
    std::string detail;

    double fraction() const { return total > 0 ? static_cast<double>(done) / total : 0.0; }
    // Seconds left at the average rate so far; negative while nothing is finished.
    double eta_s() const { return done > 0 ? elapsed_s * (total - done) / done : -1.0; }
};

// Return false to ask the job to stop at the next safe point (it keeps what is finished).
using ProgressFn = std::function<bool(const Progress&)>;

}  // namespace distillery
