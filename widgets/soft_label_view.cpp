#include "widgets/soft_label_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSpinBox>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace distillery::ui {

namespace {

// With more classes the cells are too small for their numbers.
constexpr int kMaxClassesWithCellValues = 12;
constexpr int kThumbScale = 2;   // a 28 or 32 pixel image, twice its size
constexpr int kThumbBox = 64;    // the thumbnail's fixed box: a larger image is shown smaller
const QColor kEntropyColor(31, 119, 180);

// A title above the plot's axis rect (and its legend row).
void addTitle(QCustomPlot* plot, const QString& title) {
    QFont font = plot->font();
    font.setBold(true);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, font));
}

// Light to dark blue: the many small probabilities stay visible next to the large ones.
QCPColorGradient probabilityGradient() {
    QCPColorGradient gradient;
    gradient.clearColorStops();
    gradient.setColorStopAt(0.0, QColor(247, 251, 255));
    gradient.setColorStopAt(0.15, QColor(198, 219, 239));
    gradient.setColorStopAt(0.4, QColor(107, 174, 214));
    gradient.setColorStopAt(0.7, QColor(33, 113, 181));
    gradient.setColorStopAt(1.0, QColor(8, 48, 107));
    return gradient;
}

}  // namespace

SoftLabelView::SoftLabelView(QWidget* parent) : QWidget(parent) {
    // Texts that change with every snapshot do not size the view: were their widths part of the
    // layout, a longer text would re-lay out the whole window. They are cut off instead.
    summary_ = new QLabel;
    summary_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    hard_note_ = new QLabel(tr("These are hard labels: each image is trained with a one-hot label of its own class, so "
                               "the map is the identity and every entropy is 0. Soft labels make this view informative: "
                               "run TESLA (teacher labels) or DATM (learned labels)."));
    hard_note_->setWordWrap(true);
    // Fixed colours, text included, so the note reads the same in a light and a dark theme.
    hard_note_->setStyleSheet(QStringLiteral(
        "QLabel { background: #fff4d6; color: #4a3b00; border: 1px solid #e3c46e; border-radius: 4px; padding: 6px; }"));

    matrix_plot_ = new ClassPlot;
    matrix_plot_->xAxis->setLabel(tr("Probability given to class"));
    matrix_plot_->yAxis->setLabel(tr("Images of class"));
    matrix_plot_->yAxis->setRangeReversed(true);  // the first class on top, as in a table
    matrix_map_ = new QCPColorMap(matrix_plot_->xAxis, matrix_plot_->yAxis);
    matrix_map_->setInterpolate(false);
    auto* color_scale = new QCPColorScale(matrix_plot_);
    matrix_plot_->plotLayout()->addElement(1, 1, color_scale);
    color_scale->setBarWidth(12);
    color_scale->axis()->setLabel(tr("Mean probability"));
    matrix_map_->setColorScale(color_scale);  // the scale's gradient and range apply to the map
    color_scale->setGradient(probabilityGradient());
    color_scale->setDataRange(QCPRange(0, 1));
    auto* margins = new QCPMarginGroup(matrix_plot_);
    matrix_plot_->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    color_scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    addTitle(matrix_plot_, tr("Mean label of each class's images"));
    connect(matrix_plot_, &QCustomPlot::mouseMove, this, &SoftLabelView::showCellTip);
    connect(matrix_plot_, &QCustomPlot::afterLayout, this, &SoftLabelView::fitCellValues);

    entropy_plot_ = new ClassPlot;
    entropy_plot_->yAxis->setLabel(tr("Mean entropy (nats)"));
    entropy_bars_ = new QCPBars(entropy_plot_->xAxis, entropy_plot_->yAxis);
    entropy_bars_->setWidth(0.7);
    entropy_bars_->setPen(Qt::NoPen);
    entropy_bars_->setBrush(kEntropyColor);
    uniform_line_ = new QCPItemStraightLine(entropy_plot_);
    uniform_line_->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashLine));
    uniform_label_ = new QCPItemText(entropy_plot_);
    uniform_label_->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    uniform_label_->position->setTypeY(QCPItemPosition::ptPlotCoords);
    uniform_label_->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    uniform_label_->setColor(QColor(90, 90, 90));
    uniform_label_->setClipToAxisRect(false);  // in a short plot it may reach into the margin above
    addTitle(entropy_plot_, tr("How spread out each class's labels are"));

    image_spin_ = new QSpinBox;
    image_spin_->setRange(0, 0);
    image_spin_->setToolTip(tr("The image whose label is shown"));
    connect(image_spin_, &QSpinBox::valueChanged, this, &SoftLabelView::showSelectedImage);
    image_thumb_ = new QLabel;
    image_thumb_->setFixedSize(kThumbBox, kThumbBox);
    image_thumb_->setAlignment(Qt::AlignCenter);
    image_info_ = new QLabel;
    image_info_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto* image_row = new QHBoxLayout;
    image_row->addWidget(new QLabel(tr("Image")));
    image_row->addWidget(image_spin_);
    image_row->addWidget(image_thumb_);
    image_row->addWidget(image_info_, 1);
    image_plot_ = new LabelDistributionPlot;
    auto* image_section = new QWidget;
    auto* image_layout = new QVBoxLayout(image_section);
    image_layout->setContentsMargins(0, 4, 0, 0);
    image_layout->addLayout(image_row);
    image_layout->addWidget(image_plot_, 1);

    // Small enough for a dock; the splitter gives each plot more when there is room.
    for (QCustomPlot* plot : {static_cast<QCustomPlot*>(matrix_plot_), static_cast<QCustomPlot*>(entropy_plot_),
                              static_cast<QCustomPlot*>(image_plot_)})
        plot->setMinimumHeight(140);
    // The heat map keeps a row of text per class, so all ten class names stay on their axis (the
    // view scrolls when its dock is shorter).
    matrix_plot_->setMinimumHeight(280);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(matrix_plot_);
    splitter->addWidget(entropy_plot_);
    splitter->addWidget(image_section);
    splitter->setStretchFactor(0, 5);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 3);

    auto* content = new QWidget;
    auto* content_layout = new QVBoxLayout(content);
    content_layout->addWidget(summary_);
    content_layout->addWidget(hard_note_);
    content_layout->addWidget(splitter, 1);

    auto* empty = new QLabel(tr("No soft labels yet — start a run"));
    empty->setAlignment(Qt::AlignCenter);
    empty->setForegroundRole(QPalette::PlaceholderText);
    QFont empty_font = empty->font();
    empty_font.setPointSizeF(empty_font.pointSizeF() * 1.3);
    empty->setFont(empty_font);

    // Three plots do not fit a laptop's dock at a readable size: they keep their height and the
    // view scrolls, rather than the window growing past the screen. So the content's minimum
    // size (the hard-label note shown or not) never reaches the window's layout either.
    auto* scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    pages_ = new QStackedWidget;
    pages_->addWidget(empty);
    pages_->addWidget(scroll);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(pages_);

    coalescer_ = new RepaintCoalescer(this, [this] { redraw(); });
}

void SoftLabelView::setImages(const SyntheticImages& images) {
    images_ = images;
    coalescer_->markDirty();
}

int SoftLabelView::selectedImage() const {
    return image_spin_->value();
}

void SoftLabelView::selectImage(int index) {
    image_spin_->setValue(index);
}

void SoftLabelView::redraw() {
    shown_ = images_;
    const int k = shown_.num_classes;
    matrix_.fill(0, static_cast<qsizetype>(k) * k);
    entropy_.fill(0, k);
    QVector<int> counts(k, 0);
    for (int i = 0; i < shown_.count; ++i) {
        const int cls = shown_.classes.value(i, -1);
        if (cls < 0 || cls >= k) continue;
        const float* probs = shown_.labelRow(i);
        for (int c = 0; c < k; ++c) matrix_[cls * k + c] += probs[c];
        entropy_[cls] += entropyOf(probs, k);
        ++counts[cls];
    }
    for (int r = 0; r < k; ++r) {
        if (counts[r] == 0) continue;
        for (int c = 0; c < k; ++c) matrix_[r * k + c] /= counts[r];
        entropy_[r] /= counts[r];
    }

    pages_->setCurrentIndex(shown_.isEmpty() ? 0 : 1);
    if (shown_.isEmpty()) return;
    summary_->setText(snapshotSummary(shown_));
    summary_->setToolTip(summary_->text());
    hard_note_->setVisible(shown_.label_kind == QLatin1String("hard"));
    const QStringList names = classNames(shown_);
    drawMatrix(names);
    drawEntropy(names);
    image_spin_->setRange(0, shown_.count - 1);
    showSelectedImage();
}

void SoftLabelView::drawMatrix(const QStringList& names) {
    const int k = names.size();
    matrix_map_->data()->setSize(k, k);
    matrix_map_->data()->setRange(QCPRange(0, k - 1), QCPRange(0, k - 1));
    for (int r = 0; r < k; ++r)
        for (int c = 0; c < k; ++c) matrix_map_->data()->setCell(c, r, matrix_[r * k + c]);
    matrix_plot_->setClasses(matrix_plot_->xAxis, names);
    matrix_plot_->setClasses(matrix_plot_->yAxis, names);

    const bool numbered = k <= kMaxClassesWithCellValues;
    if (cell_values_.size() != (numbered ? k * k : 0)) {
        for (QCPItemText* item : std::as_const(cell_values_)) matrix_plot_->removeItem(item);
        cell_values_.clear();
        QFont font = matrix_plot_->font();
        font.setPointSizeF(font.pointSizeF() * 0.8);
        for (int i = 0; numbered && i < k * k; ++i) {
            auto* item = new QCPItemText(matrix_plot_);
            item->position->setCoords(i % k, i / k);
            item->setFont(font);
            item->setClipToAxisRect(true);
            cell_values_ << item;
        }
    }
    for (int i = 0; i < cell_values_.size(); ++i) {
        const double value = matrix_[i];
        // Zeros left out: the few cells with mass stand out.
        cell_values_[i]->setText(value < 0.005 ? QString() : QString::number(value, 'f', 2));
        cell_values_[i]->setColor(value > 0.45 ? Qt::white : QColor(40, 40, 40));
    }
    matrix_plot_->replot();
}

// Numbers only where they fit in their cells, which depends on the plot's present size.
void SoftLabelView::fitCellValues() {
    if (cell_values_.isEmpty()) return;
    const int k = shown_.num_classes;
    const QFontMetrics metrics(cell_values_.first()->font());
    const QRect rect = matrix_plot_->axisRect()->rect();
    const bool fits = rect.width() >= k * (metrics.horizontalAdvance(QStringLiteral("0.00")) + 4) &&
                      rect.height() >= k * metrics.height();
    for (QCPItemText* item : std::as_const(cell_values_)) item->setVisible(fits);
}

void SoftLabelView::drawEntropy(const QStringList& names) {
    const int k = names.size();
    QVector<double> keys(k);
    std::iota(keys.begin(), keys.end(), 0.0);
    entropy_bars_->setData(keys, entropy_, true);
    entropy_plot_->setClasses(entropy_plot_->xAxis, names);

    const double uniform = std::log(std::max(k, 1));
    entropy_plot_->yAxis->setRange(0, std::max(uniform, 0.1) * 1.25);
    uniform_line_->point1->setCoords(0, uniform);
    uniform_line_->point2->setCoords(1, uniform);
    uniform_label_->position->setCoords(0.99, uniform);
    uniform_label_->setText(tr("maximum (uniform labels): ln %1 = %2").arg(k).arg(uniform, 0, 'f', 2));
    entropy_plot_->replot();
}

void SoftLabelView::showSelectedImage() {
    const int index = image_spin_->value();
    if (index >= shown_.count) return;
    const int cls = shown_.classes.value(index);
    const QLocale locale;
    const QImage image = imageToQImage(shown_, index);
    const bool fits_twice = std::max(image.width(), image.height()) * kThumbScale <= kThumbBox;
    image_thumb_->setPixmap(fits_twice ? scaledPixmap(image, kThumbScale, devicePixelRatioF())
                                       : QPixmap::fromImage(image.scaled(kThumbBox, kThumbBox, Qt::KeepAspectRatio)));
    image_info_->setText(tr("class %1 · entropy %2 nats")
                             .arg(classLabel(shown_, cls), locale.toString(entropyOf(shown_.labelRow(index), shown_.num_classes), 'f', 3)));
    image_plot_->showDistribution(shown_, index);
}

void SoftLabelView::showCellTip(QMouseEvent* event) {
    const int k = shown_.num_classes;
    const QPointF pos = event->position();
    const int column = static_cast<int>(std::lround(matrix_plot_->xAxis->pixelToCoord(pos.x())));
    const int row = static_cast<int>(std::lround(matrix_plot_->yAxis->pixelToCoord(pos.y())));
    if (!matrix_plot_->axisRect()->rect().contains(pos.toPoint()) || row < 0 || row >= k || column < 0 || column >= k) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(event->globalPosition().toPoint(),
                       tr("Images of %1 give %2 a mean probability of %3")
                           .arg(className(shown_, row), className(shown_, column),
                                QLocale().toString(matrix_[row * k + column], 'f', 3)),
                       matrix_plot_);
}

}  // namespace distillery::ui
