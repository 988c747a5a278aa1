#include "widgets/image_grid_view.h"

#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPaintEvent>
#include <QScrollArea>
#include <QScrollBar>
#include <QToolTip>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <utility>

#include "widgets/image_conversion.h"
#include "widgets/image_detail_dialog.h"

namespace distillery::ui {

namespace {

constexpr int kMargin = 10;
constexpr int kLabelGap = 12;    // between a class name and its first image
constexpr int kColumnGap = 4;    // leaves room for the 2-pixel frame of a hovered image
constexpr int kRowGap = 8;
constexpr int kFrameWidth = 2;
constexpr int kWheelStep = 120;  // QWheelEvent's angle delta of one notch

}  // namespace

ImageGridView::ImageGridView(QWidget* parent) : QWidget(parent) {
    summary_ = new QLabel;
    // Its text changes with every snapshot; were its width part of the layout, a longer summary
    // would re-lay out the whole window. It is cut off instead (its tooltip has it in full).
    summary_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    hint_ = new QLabel;
    hint_->setForegroundRole(QPalette::PlaceholderText);
    header_ = new QWidget;
    auto* header = new QHBoxLayout(header_);
    header->setContentsMargins(kMargin, 6, kMargin, 2);
    header->addWidget(summary_, 1);
    header->addWidget(hint_);
    header_->installEventFilter(this);  // a new width shares the line out again (fitHeader)

    canvas_ = new QWidget;
    canvas_->setMouseTracking(true);
    canvas_->setBackgroundRole(QPalette::Base);
    canvas_->setAutoFillBackground(true);
    canvas_->installEventFilter(this);

    scroll_ = new QScrollArea;
    scroll_->setFrameShape(QFrame::NoFrame);
    scroll_->setWidget(canvas_);
    // Sized here rather than by the scroll area: a zoom then knows the new size at once and can
    // scroll to keep the image under the mouse in place.
    scroll_->viewport()->installEventFilter(this);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(header_);
    layout->addWidget(scroll_, 1);

    coalescer_ = new RepaintCoalescer(this, [this] { redraw(); });
    relayout();
}

QSize ImageGridView::sizeHint() const {
    // Not the scroll area's, which follows the grid's size: the first images would then move
    // every dock of the window.
    return {560, 480};
}

void ImageGridView::setImages(const SyntheticImages& images) {
    images_ = images;
    coalescer_->markDirty();
}

void ImageGridView::setZoom(int zoom) {
    zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    if (zoom == zoom_) return;
    zoom_ = zoom;
    relayout();
    Q_EMIT zoomChanged(zoom_);
}

QPoint ImageGridView::gridOrigin() const {
    return {kMargin + label_width_ + kLabelGap, kMargin};
}

QSize ImageGridView::cellPitch(int zoom) const {
    const int row_height = std::max(shown_.height * zoom, canvas_->fontMetrics().height());
    return {shown_.width * zoom + kColumnGap, row_height + kRowGap};
}

QRect ImageGridView::imageRect(int index) const {
    if (index < 0 || index >= cells_.size() || cells_[index].x() < 0) return {};
    const QSize tile(shown_.width * zoom_, shown_.height * zoom_);
    const QSize pitch = cellPitch(zoom_);
    const int row_height = pitch.height() - kRowGap;
    const QPoint cell = cells_[index];
    return {gridOrigin() + QPoint(cell.x() * pitch.width(), cell.y() * pitch.height() + (row_height - tile.height()) / 2), tile};
}

int ImageGridView::imageAt(const QPoint& pos) const {
    for (int i = 0; i < cells_.size(); ++i)
        if (imageRect(i).contains(pos)) return i;
    return -1;
}

void ImageGridView::redraw() {
    shown_ = images_;
    pixmaps_.clear();
    cells_.clear();
    row_labels_.clear();
    QVector<int> row_lengths(std::max(shown_.num_classes, 0), 0);
    for (int i = 0; i < shown_.count; ++i) {
        pixmaps_ << QPixmap::fromImage(imageToQImage(shown_, i));
        const int cls = shown_.classes.value(i, -1);
        cells_ << (cls >= 0 && cls < row_lengths.size() ? QPoint(row_lengths[cls]++, cls) : QPoint(-1, -1));
    }
    columns_ = row_lengths.isEmpty() ? 0 : *std::max_element(row_lengths.cbegin(), row_lengths.cend());
    for (int c = 0; c < shown_.num_classes; ++c) row_labels_ << classLabel(shown_, c);
    if (hovered_ >= shown_.count) hovered_ = -1;

    summary_->setText(snapshotSummary(shown_));
    summary_->setToolTip(summary_->text());
    fitHeader();
    relayout();
    if (detail_ && detail_->isVisible()) detail_->updateImages(shown_);
}

void ImageGridView::relayout() {
    const bool empty = shown_.isEmpty();
    fitHeader();

    label_width_ = 0;
    for (const QString& label : std::as_const(row_labels_))
        label_width_ = std::max(label_width_, canvas_->fontMetrics().horizontalAdvance(label));
    const QSize pitch = cellPitch(zoom_);
    const QSize grid = empty ? QSize(0, 0)
                             : QSize(gridOrigin().x() + columns_ * pitch.width() - kColumnGap + kMargin,
                                     2 * kMargin + row_labels_.size() * pitch.height() - kRowGap);
    canvas_->setMinimumSize(grid);
    canvas_->resize(grid.expandedTo(scroll_->viewport()->size()));
    canvas_->update();
}

void ImageGridView::fitHeader() {
    // What is shown comes first: the summary gets the width its text needs, and the hint the rest
    // of the line, shortened with an ellipsis (its tooltip has it whole; in German it is long).
    const QString hint = tr("%1× · Ctrl+wheel to zoom · click an image for its label").arg(zoom_);
    const QMargins margins = header_->layout()->contentsMargins();
    const int line = header_->width() - margins.left() - margins.right() - header_->layout()->spacing();
    const int room = std::max(0, line - summary_->fontMetrics().horizontalAdvance(summary_->text()));
    const QString shown = hint_->fontMetrics().elidedText(hint, Qt::ElideRight, room);
    hint_->setText(shown);
    hint_->setToolTip(hint);
    hint_->setFixedWidth(hint_->fontMetrics().horizontalAdvance(shown));
}

bool ImageGridView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == header_) {
        if (event->type() == QEvent::Resize) fitHeader();
        return false;
    }
    if (watched == scroll_->viewport()) {
        if (event->type() == QEvent::Resize) canvas_->resize(canvas_->minimumSize().expandedTo(scroll_->viewport()->size()));
        return false;
    }
    if (watched != canvas_) return false;
    switch (event->type()) {
    case QEvent::Paint:
        paintCanvas(static_cast<QPaintEvent*>(event));
        return true;
    case QEvent::MouseMove:
        setHovered(imageAt(static_cast<QMouseEvent*>(event)->position().toPoint()));
        return false;
    case QEvent::Leave:
        setHovered(-1);
        return false;
    case QEvent::MouseButtonPress: {
        auto* mouse = static_cast<QMouseEvent*>(event);
        if (mouse->button() != Qt::LeftButton) return false;
        pressed_ = imageAt(mouse->position().toPoint());
        return true;
    }
    case QEvent::MouseButtonRelease: {
        auto* mouse = static_cast<QMouseEvent*>(event);
        if (mouse->button() != Qt::LeftButton) return false;
        const int index = imageAt(mouse->position().toPoint());
        if (index >= 0 && index == pressed_) openDetail(index);
        pressed_ = -1;
        return true;
    }
    case QEvent::ToolTip: {
        auto* help = static_cast<QHelpEvent*>(event);
        const int index = imageAt(help->pos());
        if (index >= 0) QToolTip::showText(help->globalPos(), imageToolTip(index), canvas_, imageRect(index));
        else QToolTip::hideText();
        return true;
    }
    case QEvent::Wheel: {
        auto* wheel = static_cast<QWheelEvent*>(event);
        if (!(wheel->modifiers() & Qt::ControlModifier)) return false;  // the scroll area scrolls
        wheel_delta_ += wheel->angleDelta().y();
        const int steps = wheel_delta_ / kWheelStep;
        wheel_delta_ -= steps * kWheelStep;
        if (steps != 0) zoomAround(zoom_ + steps, wheel->position().toPoint());
        return true;
    }
    default:
        return false;
    }
}

void ImageGridView::paintCanvas(QPaintEvent* event) {
    QPainter painter(canvas_);
    if (shown_.isEmpty()) {
        QFont font = painter.font();
        font.setPointSizeF(font.pointSizeF() * 1.3);
        painter.setFont(font);
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(canvas_->rect(), Qt::AlignCenter, tr("No synthetic images yet — start a run"));
        return;
    }

    const QSize pitch = cellPitch(zoom_);
    for (int row = 0; row < row_labels_.size(); ++row) {
        const QRect band(0, kMargin - kRowGap / 2 + row * pitch.height(), canvas_->width(), pitch.height());
        if (!band.intersects(event->rect())) continue;
        if (row % 2 == 1) painter.fillRect(band, palette().alternateBase());
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QRect(kMargin, band.top() + kRowGap / 2, label_width_, pitch.height() - kRowGap),
                         Qt::AlignLeft | Qt::AlignVCenter, row_labels_[row]);
    }

    // Scaled by the painter without smoothing: at any zoom and device pixel ratio an image pixel
    // becomes a sharp block of screen pixels, and no zoom needs pixmaps of its own.
    for (int i = 0; i < pixmaps_.size(); ++i) {
        const QRect rect = imageRect(i);
        if (rect.intersects(event->rect())) painter.drawPixmap(rect, pixmaps_[i]);
    }

    const QColor highlight = palette().color(QPalette::Highlight);
    QColor hover_color = highlight;
    hover_color.setAlpha(120);
    const std::pair<int, QColor> frames[] = {{hovered_, hover_color},
                                             {detail_ && detail_->isVisible() ? detail_->index() : -1, highlight}};
    painter.setBrush(Qt::NoBrush);
    for (const auto& [index, color] : frames) {
        if (index < 0) continue;
        painter.setPen(QPen(color, kFrameWidth, Qt::SolidLine, Qt::SquareCap, Qt::MiterJoin));
        painter.drawRect(QRectF(imageRect(index)).adjusted(-1, -1, 1, 1));
    }
}

QString ImageGridView::imageToolTip(int index) const {
    const float* probs = shown_.labelRow(index);
    const int top = topClass(probs, shown_.num_classes);
    return tr("<b>Image %1</b><br>Class: %2<br>Top label: %3, %4")
        .arg(index)
        .arg(classLabel(shown_, shown_.classes.value(index)).toHtmlEscaped(), classLabel(shown_, top).toHtmlEscaped(),
             QLocale().toString(probs[top], 'f', 2));
}

void ImageGridView::setHovered(int index) {
    if (index == hovered_) return;
    for (int changed : {hovered_, index})
        if (changed >= 0) canvas_->update(imageRect(changed).adjusted(-kFrameWidth, -kFrameWidth, kFrameWidth, kFrameWidth));
    hovered_ = index;
    if (index >= 0) canvas_->setCursor(Qt::PointingHandCursor);
    else canvas_->unsetCursor();
}

void ImageGridView::openDetail(int index) {
    if (!detail_) {
        detail_ = new ImageDetailDialog(this);
        // The grid frames the image the dialog shows, as long as it shows one.
        connect(detail_, &ImageDetailDialog::indexChanged, canvas_, qOverload<>(&QWidget::update));
        connect(detail_, &QDialog::finished, canvas_, qOverload<>(&QWidget::update));
    }
    detail_->showImage(shown_, index);
    canvas_->update();
    Q_EMIT imageClicked(index);
}

// Keeps the image pixel under the mouse under it: grid coordinates scale with the cell pitch.
void ImageGridView::zoomAround(int zoom, const QPoint& canvas_pos) {
    const QSize old_pitch = cellPitch(zoom_);
    const QPoint on_viewport = canvas_->mapToParent(canvas_pos);
    setZoom(zoom);
    const QSize new_pitch = cellPitch(zoom_);
    const QPoint origin = gridOrigin();
    const auto rescale = [](int pos, int from, int old_pitch, int new_pitch) {
        return pos <= from ? pos : from + (pos - from) * new_pitch / old_pitch;
    };
    scroll_->horizontalScrollBar()->setValue(rescale(canvas_pos.x(), origin.x(), old_pitch.width(), new_pitch.width()) - on_viewport.x());
    scroll_->verticalScrollBar()->setValue(rescale(canvas_pos.y(), origin.y(), old_pitch.height(), new_pitch.height()) - on_viewport.y());
}

}  // namespace distillery::ui
