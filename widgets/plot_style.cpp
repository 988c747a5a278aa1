#include "widgets/plot_style.h"

#include <QMap>
#include <QStringList>

#include <algorithm>
#include <numeric>

namespace distillery::ui {

namespace {

// The extent of what an axis shows, over every plottable on it (error bars included).
bool dataRange(QCPAxis* axis, QCPRange& range) {
    bool found_any = false;
    for (QCPAbstractPlottable* plottable : axis->plottables()) {
        bool found = false;
        const QCPRange extent = plottable->keyAxis() == axis ? plottable->getKeyRange(found) : plottable->getValueRange(found);
        if (!found) continue;
        if (found_any) range.expand(extent);
        else range = extent;
        found_any = true;
    }
    return found_any;
}

// In reading order. itemCount() would count the empty cells a wrapped last row leaves.
QList<QCPAbstractLegendItem*> legendItems(const QCPLegend* legend) {
    QList<QCPAbstractLegendItem*> items;
    for (int i = 0; i < legend->itemCount(); ++i)
        if (QCPAbstractLegendItem* item = legend->item(i)) items << item;
    return items;
}

bool sameMarks(const QVector<ChangeMark>& a, const QVector<ChangeMark>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const ChangeMark& x, const ChangeMark& y) {
        return x.iteration == y.iteration && x.key == y.key && x.old_value == y.old_value && x.new_value == y.new_value;
    });
}

}  // namespace

WorkbenchPlot::WorkbenchPlot(QWidget* parent) : QCustomPlot(parent) {
    setMinimumSize(240, 160);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setNoAntialiasingOnDrag(true);
    setAutoAddPlottableToLegend(false);
    setToolTip(interactionHint());

    QFont small_font = font();
    small_font.setPointSizeF(font().pointSizeF() * 0.9);
    const QPen axis_pen(QColor(110, 110, 110));
    for (QCPAxis* axis : axisRect()->axes()) {
        axis->setLabelFont(font());
        axis->setTickLabelFont(small_font);
        axis->setLabelColor(QColor(50, 50, 50));
        axis->setTickLabelColor(QColor(70, 70, 70));
        axis->setBasePen(axis_pen);
        axis->setTickPen(axis_pen);
        axis->setSubTickPen(axis_pen);
        axis->grid()->setPen(QPen(QColor(0, 0, 0, 30), 0, Qt::SolidLine));
        axis->grid()->setZeroLinePen(Qt::NoPen);
        connect(axis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] {
            if (!fitting_) follows_data_ = false;
        });
    }
    axisRect()->setRangeDragAxes({xAxis}, {yAxis, yAxis2});
    axisRect()->setRangeZoomAxes({xAxis}, {yAxis, yAxis2});

    // The legend sits centred between two empty cells that take the width it does not need.
    auto* legend_row = new QCPLayoutGrid;
    plotLayout()->insertRow(0);
    plotLayout()->addElement(0, 0, legend_row);
    plotLayout()->setRowStretchFactor(0, 0.001);
    legend_row->addElement(0, 0, new QCPLayoutElement(this));
    legend_row->addElement(0, 1, legend);
    legend_row->addElement(0, 2, new QCPLayoutElement(this));
    legend->setSizeConstraintRect(QCPLayoutElement::scrOuterRect);
    legend->setVisible(false);
    legend->setFont(small_font);
    legend->setBorderPen(Qt::NoPen);
    legend->setBrush(Qt::NoBrush);
    legend->setMargins(QMargins(8, 4, 8, 0));
    legend->setColumnSpacing(14);
    legend->setRowSpacing(0);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
}

QString WorkbenchPlot::interactionHint() {
    return tr("Drag to move, turn the wheel to zoom, double-click to fit the data");
}

void WorkbenchPlot::fitIfFollowing() {
    if (follows_data_) fit();
}

void WorkbenchPlot::fit() {
    fitting_ = true;
    for (QCPAxis* axis : {xAxis, yAxis, yAxis2}) {
        QCPRange range;
        if (!dataRange(axis, range)) continue;
        if (zero_based_) range.expand(0.0);
        // A single value has no extent: give it one in proportion to its size.
        const double margin = range.size() > 0 ? 0.05 * range.size() : qMax(0.1 * qAbs(range.lower), 1.0);
        const bool keep_zero = zero_based_ && range.lower == 0;
        axis->setRange(keep_zero ? 0.0 : range.lower - margin, range.upper + margin);
    }
    fitting_ = false;
}

void WorkbenchPlot::updateLegend() {
    QList<QCPGraph*> wanted;
    for (int i = 0; i < graphCount(); ++i)
        if (!graph(i)->data()->isEmpty()) wanted << graph(i);
    const QList<QCPAbstractLegendItem*> shown = legendItems(legend);
    bool same = wanted.size() == shown.size();
    for (int i = 0; same && i < wanted.size(); ++i) same = shown[i] == legend->itemWithPlottable(wanted[i]);
    if (!same) {
        legend->clearItems();
        for (QCPGraph* graph : std::as_const(wanted)) graph->addToLegend();
    }
    legend->setVisible(!wanted.isEmpty());
    wrapLegend();
}

// As many legend columns as fit the width, so a narrow dock shows the legend in rows.
void WorkbenchPlot::wrapLegend() {
    const QList<QCPAbstractLegendItem*> items = legendItems(legend);
    const int count = items.size();
    if (count == 0) return;
    const int available = width() - legend->margins().left() - legend->margins().right();
    int columns = count;
    for (; columns > 1; --columns) {
        QVector<int> widths(columns, 0);
        for (int i = 0; i < count; ++i)
            widths[i % columns] = qMax(widths[i % columns], items[i]->minimumOuterSizeHint().width());
        if (std::accumulate(widths.begin(), widths.end(), 0) + (columns - 1) * legend->columnSpacing() <= available) break;
    }
    if (columns != legend->wrap()) {
        legend->setWrap(columns);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    }
    legend->setMaximumSize(legend->minimumOuterSizeHint().width(), QWIDGETSIZE_MAX);
}

void WorkbenchPlot::mouseDoubleClickEvent(QMouseEvent* event) {
    QCustomPlot::mouseDoubleClickEvent(event);
    follows_data_ = true;
    fit();
    replot();
}

void WorkbenchPlot::resizeEvent(QResizeEvent* event) {
    wrapLegend();
    QCustomPlot::resizeEvent(event);
}

void ChangeMarkItems::show(QCustomPlot* plot, const QVector<ChangeMark>& marks) {
    if (sameMarks(marks, shown_)) return;
    for (QCPAbstractItem* item : std::as_const(items_)) plot->removeItem(item);
    items_.clear();
    shown_ = marks;

    // Changes that took effect at one iteration share one line and one label.
    QMap<qint64, QStringList> changes_at;
    for (const ChangeMark& mark : marks)
        changes_at[mark.iteration] << QStringLiteral("%1: %2 → %3").arg(mark.key, mark.old_value, mark.new_value);

    QFont font = plot->font();
    font.setPointSizeF(font.pointSizeF() * 0.85);
    for (auto it = changes_at.cbegin(); it != changes_at.cend(); ++it) {
        const double x = static_cast<double>(it.key());
        auto* line = new QCPItemStraightLine(plot);
        line->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashLine));
        line->point1->setCoords(x, 0);
        line->point2->setCoords(x, 1);

        auto* label = new QCPItemText(plot);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(x, 0);
        // Turned to run along its line, a label is one text line wide, so marks a few iterations
        // apart do not cover each other.
        label->setRotation(-90);
        label->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
        label->setTextAlignment(Qt::AlignLeft);
        label->setText(it.value().join('\n'));
        label->setFont(font);
        label->setColor(QColor(70, 70, 70));
        label->setBrush(QColor(255, 255, 255, 200));
        label->setPadding(QMargins(4, 1, 4, 1));
        items_ << line << label;
    }
}

}  // namespace distillery::ui
