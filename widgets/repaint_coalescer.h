#pragma once
// Views receive data far more often than a screen needs redrawing (a snapshot per engine step,
// sweep points, evaluations). They store the data, call markDirty(), and this timer calls their
// redraw at most once per interval, so a burst of updates costs one repaint.
#include <QObject>
#include <QTimer>

#include <functional>
#include <utility>

namespace distillery::ui {

class RepaintCoalescer : public QObject {
public:
    explicit RepaintCoalescer(QObject* parent, std::function<void()> redraw, int interval_ms = 200)
        : QObject(parent), redraw_(std::move(redraw)) {
        timer_.setSingleShot(true);
        // Staggered by up to 75 ms per view: one snapshot marks every view dirty at once, and
        // without this they would all redraw in the same pass of the event loop, one long stall.
        static int instances = 0;
        timer_.setInterval(interval_ms + 15 * (instances++ % 6));
        QObject::connect(&timer_, &QTimer::timeout, this, [this] { flush(); });
    }

    // Asks for a redraw within one interval; further calls before then add nothing.
    void markDirty() {
        dirty_ = true;
        if (!timer_.isActive()) timer_.start();
    }
    // Redraws now if anything changed (tests and screenshots do not wait for the timer).
    void flush() {
        timer_.stop();
        if (!dirty_) return;
        dirty_ = false;
        ++redraws_;
        redraw_();
    }
    void setInterval(int ms) { timer_.setInterval(ms); }
    int interval() const { return timer_.interval(); }
    bool isDirty() const { return dirty_; }
    int redrawCount() const { return redraws_; }

private:
    std::function<void()> redraw_;
    QTimer timer_;
    bool dirty_ = false;
    int redraws_ = 0;
};

}  // namespace distillery::ui
