#pragma once
// What the image grid, its detail dialog and the soft label view share: a snapshot's pixels as
// QImages, the words and numbers they show for an image's label, and the plots over the classes.
#include <QHash>
#include <QImage>
#include <QPixmap>
#include <QString>
#include <QStringList>

#include "widgets/plot_style.h"
#include "widgets/run_snapshot.h"

namespace distillery::ui {

// Image `index` as 8 bits per channel: one channel as grey, three as RGB (the planes interleaved).
// The QImage owns its pixels, so it outlives the snapshot.
QImage imageToQImage(const SyntheticImages& s, int index);
// `image` scaled up `scale` times without smoothing (image pixels stay sharp squares), rendered
// for a device pixel ratio so that HiDPI screens do not blur it either.
QPixmap scaledPixmap(const QImage& image, int scale, qreal device_pixel_ratio);

// The entropy of a distribution, in nats: 0 for one-hot, ln(n) for uniform.
double entropyOf(const float* probs, int n);
// The class with the largest probability (the first of equals).
int topClass(const float* probs, int n);

// A class's name, or its number when the snapshot names none; classNames() has all K of them.
QString className(const SyntheticImages& s, int cls);
QStringList classNames(const SyntheticImages& s);
// "3 Dress": number and name, as rows and titles show a class.
QString classLabel(const SyntheticImages& s, int cls);
// "Iteration 120 · 100 images · teacher labels (TESLA)": the line above a view of a snapshot.
QString snapshotSummary(const SyntheticImages& s);
// What SyntheticImages::label_kind means, for people: "teacher labels (TESLA)".
QString labelKindText(const QString& label_kind);

// A plot over the classes: the workbench's look, with class names as tick labels that turn when
// they do not fit side by side and thin out when there are too many for the length of the axis.
// Its ranges are what the view sets (no dragging, no fitting on double-click).
class ClassPlot : public WorkbenchPlot {
    Q_OBJECT
public:
    explicit ClassPlot(QWidget* parent = nullptr);
    // Names the ticks 0..K-1 of `axis` (an axis of the axis rect) and shows exactly those K classes.
    void setClasses(QCPAxis* axis, const QStringList& names);

protected:
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void updateLayout() override;

private:
    bool fitClassTicks();  // true when the tick labels changed

    QHash<QCPAxis*, QStringList> classes_;
    const QMargins default_minimum_margins_;
};

// One image's label distribution as bars over the classes, the class it was made for stands out.
class LabelDistributionPlot : public ClassPlot {
    Q_OBJECT
public:
    explicit LabelDistributionPlot(QWidget* parent = nullptr);
    void showDistribution(const SyntheticImages& s, int index);

private:
    QCPBars* own_class_ = nullptr;
    QCPBars* other_classes_ = nullptr;
};

}  // namespace distillery::ui
