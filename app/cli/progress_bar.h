#pragma once
#include <chrono>
#include <string>

#include "common/progress.h"

namespace distillery::cli {

// A one-line progress bar with ETA on stderr. On a terminal it redraws in place a few times a
// second; in a log (CI, a pipe) it prints a plain line at most every `log_interval_s` seconds.
class ProgressBar {
public:
    explicit ProgressBar(bool quiet = false, double log_interval_s = 10.0);
    // Returns true, so it can be used directly as a ProgressFn body.
    bool update(const Progress& p);
    void finish();

private:
    bool quiet_, tty_;
    double log_interval_s_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point last_{};
};

std::string format_duration(double seconds);

}  // namespace distillery::cli
