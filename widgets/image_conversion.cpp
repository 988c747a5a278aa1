#include "widgets/image_conversion.h"

#include <QFontMetrics>
#include <QLocale>
#include <QMap>

#include <algorithm>
#include <cmath>

namespace distillery::ui {

namespace {

// Longer class names are elided on axes: the plot, not the labels, should take the space.
constexpr int kMaxTickLabelWidth = 110;
// Turned labels read along a diagonal; side by side they need some air between them.
constexpr double kTurnedLabelDegrees = 45;
constexpr double kCos45 = 0.70710678;
constexpr int kLabelPadding = 8;

const QColor kOwnClassColor(31, 119, 180);
const QColor kOtherClassColor(158, 186, 214);

uchar toByte(float v) {
    if (!(v > 0)) return 0;  // NaN too
    return static_cast<uchar>(std::lround(std::min(v, 1.0f) * 255.0f));
}

}  // namespace

QImage imageToQImage(const SyntheticImages& s, int index) {
    if (index < 0 || index >= s.count || s.channels < 1) return {};
    const int channels = s.channels >= 3 ? 3 : 1;  // a further plane (alpha, say) is not shown
    QImage image(s.width, s.height, channels == 3 ? QImage::Format_RGB888 : QImage::Format_Grayscale8);
    const float* src = s.image(index);
    const qsizetype plane = static_cast<qsizetype>(s.height) * s.width;
    for (int y = 0; y < s.height; ++y) {
        uchar* row = image.scanLine(y);
        const float* src_row = src + static_cast<qsizetype>(y) * s.width;
        for (int x = 0; x < s.width; ++x)
            for (int c = 0; c < channels; ++c) row[x * channels + c] = toByte(src_row[c * plane + x]);
    }
    return image;
}

QPixmap scaledPixmap(const QImage& image, int scale, qreal device_pixel_ratio) {
    const QSize size = image.size() * (scale * device_pixel_ratio);
    QPixmap pixmap = QPixmap::fromImage(image.scaled(size, Qt::IgnoreAspectRatio, Qt::FastTransformation));
    pixmap.setDevicePixelRatio(device_pixel_ratio);
    return pixmap;
}

double entropyOf(const float* probs, int n) {
    double entropy = 0;
    for (int i = 0; i < n; ++i)
        if (probs[i] > 0) entropy -= probs[i] * std::log(static_cast<double>(probs[i]));
    return entropy;
}

int topClass(const float* probs, int n) {
    return n > 0 ? static_cast<int>(std::max_element(probs, probs + n) - probs) : -1;
}

QString className(const SyntheticImages& s, int cls) {
    const QString name = s.class_names.value(cls);
    return name.isEmpty() ? QString::number(cls) : name;
}

QStringList classNames(const SyntheticImages& s) {
    QStringList names;
    for (int c = 0; c < s.num_classes; ++c) names << className(s, c);
    return names;
}

QString classLabel(const SyntheticImages& s, int cls) {
    const QString name = s.class_names.value(cls);
    return name.isEmpty() ? QString::number(cls) : QStringLiteral("%1 %2").arg(cls).arg(name);
}

QString snapshotSummary(const SyntheticImages& s) {
    const QString images = s.count == 1 ? QObject::tr("1 image") : QObject::tr("%1 images").arg(QLocale().toString(s.count));
    return QObject::tr("Iteration %1 · %2 · %3").arg(QLocale().toString(s.iteration), images, labelKindText(s.label_kind));
}

QString labelKindText(const QString& label_kind) {
    if (label_kind == QLatin1String("hard")) return QObject::tr("hard labels");
    if (label_kind == QLatin1String("teacher")) return QObject::tr("teacher labels (TESLA)");
    if (label_kind == QLatin1String("learned")) return QObject::tr("learned labels (DATM)");
    return label_kind;
}

ClassPlot::ClassPlot(QWidget* parent) : WorkbenchPlot(parent), default_minimum_margins_(axisRect()->minimumMargins()) {
    setInteractions(QCP::Interactions());
    setToolTip(QString());
}

void ClassPlot::setClasses(QCPAxis* axis, const QStringList& names) {
    if (!classes_.contains(axis)) {
        axis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
        axis->grid()->setVisible(false);  // lines between classes would only cross the bars
        axis->setTickLength(0, 4);        // outwards: inside, ticks would cut into cells and bars
    }
    classes_.insert(axis, names);
    axis->setRange(-0.5, names.size() - 0.5);
}

// Not WorkbenchPlot's fit to the data: the ranges are the classes and the probabilities' 0..1.
void ClassPlot::mouseDoubleClickEvent(QMouseEvent* event) {
    QCustomPlot::mouseDoubleClickEvent(event);
}

// How the names fit depends on the axis rect's size, known only once the layout has run; when
// they change, the margins they need change too, so the layout runs once more.
void ClassPlot::updateLayout() {
    QCustomPlot::updateLayout();
    if (fitClassTicks()) QCustomPlot::updateLayout();
}

bool ClassPlot::fitClassTicks() {
    bool changed = false;
    for (auto it = classes_.cbegin(); it != classes_.cend(); ++it) {
        QCPAxis* axis = it.key();
        const QStringList& names = it.value();
        const QFontMetrics metrics(axis->tickLabelFont());
        const bool horizontal = axis->orientation() == Qt::Horizontal;
        const double per_class = (horizontal ? axisRect()->width() : axisRect()->height()) / std::max<double>(names.size(), 1);

        QStringList labels;
        int widest = 0;
        for (const QString& name : names) {
            labels << metrics.elidedText(name, Qt::ElideRight, kMaxTickLabelWidth);
            widest = std::max(widest, metrics.horizontalAdvance(labels.last()));
        }
        // Side by side a label needs its width; stacked or turned, about a line.
        const bool turn = horizontal && widest + kLabelPadding > per_class;
        const double needed = horizontal && !turn ? widest + kLabelPadding : metrics.height() * (turn ? 1.4 : 1.1);
        const int step = per_class > 0 ? std::max(1, static_cast<int>(std::ceil(needed / per_class))) : 1;

        QMap<double, QString> ticks;
        for (int c = 0; c < labels.size(); c += step) ticks.insert(c, labels[c]);
        const double rotation = turn ? kTurnedLabelDegrees : 0;
        auto ticker = axis->ticker().staticCast<QCPAxisTickerText>();
        if (ticker->ticks() != ticks || axis->tickLabelRotation() != rotation) {
            ticker->setTicks(ticks);
            axis->setTickLabelRotation(rotation);
            changed = true;
        }

        // A turned label reaches right of its tick, and QCustomPlot leaves out a label the widget
        // would cut: the last one gets the room it needs.
        if (!horizontal) continue;
        QMargins minimum = axisRect()->minimumMargins();
        int right = default_minimum_margins_.right();
        if (turn && !ticks.isEmpty()) {
            const double reach = (metrics.horizontalAdvance(ticks.last()) + metrics.height()) * kCos45;
            const double overflow = axis->coordToPixel(ticks.lastKey()) + reach - width();
            right = std::max(right, axisRect()->margins().right() + static_cast<int>(std::ceil(overflow)) + kLabelPadding);
        }
        if (right == minimum.right()) continue;
        minimum.setRight(right);
        axisRect()->setMinimumMargins(minimum);
        changed = true;
    }
    return changed;
}

LabelDistributionPlot::LabelDistributionPlot(QWidget* parent) : ClassPlot(parent) {
    yAxis->setLabel(tr("Probability"));
    yAxis->setRange(0, 1);
    own_class_ = new QCPBars(xAxis, yAxis);
    own_class_->setName(tr("the image's class"));
    own_class_->setBrush(kOwnClassColor);
    other_classes_ = new QCPBars(xAxis, yAxis);
    other_classes_->setName(tr("other classes"));
    other_classes_->setBrush(kOtherClassColor);
    for (QCPBars* bars : {own_class_, other_classes_}) {
        bars->setWidth(0.7);
        bars->setPen(Qt::NoPen);
        bars->addToLegend();
    }
    legend->setVisible(true);
}

void LabelDistributionPlot::showDistribution(const SyntheticImages& s, int index) {
    QVector<double> own_keys, own_values, other_keys, other_values;
    if (index >= 0 && index < s.count) {
        const float* probs = s.labelRow(index);
        for (int c = 0; c < s.num_classes; ++c) {
            const bool own = c == s.classes.value(index);
            (own ? own_keys : other_keys) << c;
            (own ? own_values : other_values) << probs[c];
        }
    }
    own_class_->setData(own_keys, own_values, true);
    other_classes_->setData(other_keys, other_values, true);
    setClasses(xAxis, classNames(s));
    replot();
}

}  // namespace distillery::ui
