#pragma once
// Views receive data far more often than a screen needs redrawing (a snapshot per engine step,
// sweep points, evaluations). They store the data, call markDirty(), and this timer calls their
// redraw at most once per interval, so a burst of updates costs one repaint. A view nobody can
// see (a closed dock, or a dock tabbed behind another, which Qt moves out of the window rather
// than hiding) is not redrawn until it is shown again: the work would take time from the views
// that are seen.
#include <QChildEvent>
#include <QEvent>
#include <QObject>
#include <QTimer>
#include <QWidget>

#include <algorithm>
#include <functional>
#include <utility>

namespace distillery::ui {

class RepaintCoalescer : public QObject {
public:
    explicit RepaintCoalescer(QWidget* view, std::function<void()> redraw, int interval_ms = 200)
        : QObject(view), view_(view), redraw_(std::move(redraw)) {
        timer_.setSingleShot(true);
        // Staggered by up to 75 ms per view: one snapshot marks every view dirty at once, and
        // without this they would all redraw in the same pass of the event loop, one long stall.
        static int instances = 0;
        interval_ms_ = interval_ms + 15 * (instances++ % 6);
        QObject::connect(&timer_, &QTimer::timeout, this, [this] { redrawIfSeen(); });
        // The view's children too: a view covered by an opaque child (a plot) gets no paint events
        // of its own when its tab is raised; the child does.
        view_->installEventFilter(this);
        for (QWidget* child : view_->findChildren<QWidget*>()) child->installEventFilter(this);
    }

    // Asks for a redraw within one interval; further calls before then add nothing.
    void markDirty() {
        dirty_ = true;
        if (!timer_.isActive()) timer_.start(interval_ms_);
    }
    // Redraws now if anything changed, seen or not (tests and screenshots do not wait for the timer).
    void flush() {
        timer_.stop();
        if (!dirty_) return;
        dirty_ = false;
        ++redraws_;
        redraw_();
    }
    void setInterval(int ms) { interval_ms_ = ms; }
    int interval() const { return interval_ms_; }
    bool isDirty() const { return dirty_; }
    int redrawCount() const { return redraws_; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override {
        // Seen again (shown, or exposed: a tab raised) with changes it has not drawn: draw them in
        // the next pass of the event loop, so the view does not show stale data for an interval.
        const bool exposed = event->type() == QEvent::Show || event->type() == QEvent::Paint;
        if (exposed && dirty_ && !timer_.isActive()) timer_.start(0);
        if (watched == view_ && event->type() == QEvent::ChildAdded)
            if (auto* child = qobject_cast<QWidget*>(static_cast<QChildEvent*>(event)->child())) child->installEventFilter(this);
        return false;
    }

private:
    void redrawIfSeen() {
        if (isSeen()) flush();  // else dirty until seen
    }
    // A view is seen where it, or any widget inside it, has pixels on screen. The view's own
    // visibleRegion() is not enough: Qt subtracts opaque children from it, and a plot view is one
    // opaque QCustomPlot from edge to edge, so the view itself never has a visible pixel.
    bool isSeen() const {
        if (!view_->isVisible()) return false;
        if (!view_->visibleRegion().isEmpty()) return true;
        const auto children = view_->findChildren<QWidget*>();
        return std::any_of(children.begin(), children.end(),
                           [](const QWidget* child) { return child->isVisible() && !child->visibleRegion().isEmpty(); });
    }

    QWidget* view_;
    std::function<void()> redraw_;
    QTimer timer_;
    bool dirty_ = false;
    int redraws_ = 0;
    int interval_ms_ = 200;
};

}  // namespace distillery::ui
