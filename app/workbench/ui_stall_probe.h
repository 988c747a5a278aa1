#pragma once
// Measures how long the UI thread's event loop is kept from running: a precise timer asks to fire
// every `interval` ms, and any lateness beyond that is time the UI could not react (a stall).
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <QVector>

#include <algorithm>

namespace distillery::ui {

class UiStallProbe : public QObject {
public:
    explicit UiStallProbe(QObject* parent = nullptr, int interval_ms = 10) : QObject(parent), interval_ms_(interval_ms) {
        timer_.setTimerType(Qt::PreciseTimer);
        timer_.setInterval(interval_ms);
        QObject::connect(&timer_, &QTimer::timeout, this, [this] { tick(); });
    }
    void start() {
        stalls_ms_.clear();
        longest_ms_ = longest_at_ms_ = 0;
        clock_.start();
        since_start_.start();
        timer_.start();
    }
    void stop() { timer_.stop(); }

    double longestMs() const { return longest_ms_; }
    // The q-quantile of the lateness of all ticks (q in [0, 1]).
    double quantileMs(double q) const {
        if (stalls_ms_.isEmpty()) return 0;
        auto sorted = stalls_ms_;
        std::sort(sorted.begin(), sorted.end());
        return sorted[static_cast<int>(q * (sorted.size() - 1))];
    }
    int ticks() const { return static_cast<int>(stalls_ms_.size()); }
    // When the longest stall ended, in ms since start(): tells a start-up cost from a steady one.
    double longestAtMs() const { return longest_at_ms_; }
    int ticksLaterThan(double ms) const {
        return static_cast<int>(std::count_if(stalls_ms_.begin(), stalls_ms_.end(), [ms](double s) { return s > ms; }));
    }

private:
    void tick() {
        const double elapsed = clock_.nsecsElapsed() / 1e6;
        clock_.restart();
        const double stall = std::max(0.0, elapsed - interval_ms_);
        if (stall > longest_ms_) {
            longest_ms_ = stall;
            longest_at_ms_ = since_start_.nsecsElapsed() / 1e6;
        }
        stalls_ms_.append(stall);
    }

    int interval_ms_;
    QTimer timer_;
    QElapsedTimer clock_, since_start_;
    QVector<double> stalls_ms_;
    double longest_ms_ = 0, longest_at_ms_ = 0;
};

}  // namespace distillery::ui
