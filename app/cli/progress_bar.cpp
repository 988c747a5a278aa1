#include "cli/progress_bar.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace distillery::cli {

std::string format_duration(double seconds) {
    if (seconds < 0 || !std::isfinite(seconds)) return "?";
    const long s = std::lround(seconds);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
    else if (s >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%lds", s);
    return buf;
}

ProgressBar::ProgressBar(bool quiet, double log_interval_s)
    : quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0), log_interval_s_(log_interval_s) {}

bool ProgressBar::update(const Progress& p) {
    if (quiet_) return true;
    const auto now = std::chrono::steady_clock::now();
    const double since = std::chrono::duration<double>(now - last_).count();
    const bool last = p.done >= p.total;
    if (!last && drawn_ && since < (tty_ ? 0.2 : log_interval_s_)) return true;
    last_ = now;
    drawn_ = true;
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(std::lround(p.fraction() * kWidth));
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "%s%-10s [%s] %3.0f%%  %s  elapsed %s  ETA %s%s", tty_ ? "\r\033[K" : "", p.task.c_str(),
                 bar.c_str(), 100.0 * p.fraction(), p.detail.c_str(), format_duration(p.elapsed_s).c_str(),
                 format_duration(p.eta_s()).c_str(), tty_ ? "" : "\n");
    std::fflush(stderr);
    return true;
}

void ProgressBar::finish() {
    if (!quiet_ && tty_ && drawn_) std::fprintf(stderr, "\n");
    drawn_ = false;
}

}  // namespace distillery::cli
