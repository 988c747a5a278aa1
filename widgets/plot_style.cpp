#include "widgets/plot_style.h"

#include <QClipboard>
#include <QContextMenuEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QMap>
#include <QMenu>
#include <QMessageBox>
#include <QRegularExpression>
#include <QStringList>

#include "widgets/plot_export.h"

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
    buildContextMenu();

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
    // A resized plot that follows its data fits it again at its new size, whose pixels the margin
    // for the markers depends on: once laid out, before anything is drawn.
    connect(this, &QCustomPlot::afterLayout, this, [this] {
        if (follows_data_ && axisRect()->rect().size() != fitted_size_) fit();
    });
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
    return tr("Drag to move, turn the wheel to zoom, double-click to fit the data; right-click to save the image or "
              "export the data");
}

QString WorkbenchPlot::exportFolder() const {
    // A folder that has gone since (a deleted run) would open the dialog in an arbitrary place.
    return !export_folder_.isEmpty() && QDir(export_folder_).exists() ? export_folder_ : QDir::homePath();
}

QString WorkbenchPlot::saveImage(const QString& path) {
    const PlotImageFormat format = plotImageFormatFor(path);
    if (format == PlotImageFormat::Unknown)
        return tr("Cannot save %1: the name must end in .png, .svg or .pdf.").arg(QDir::toNativeSeparators(path));
    const QByteArray image = renderPlotImage(this, format);
    if (image.isEmpty()) return tr("Could not draw the plot for %1.").arg(QDir::toNativeSeparators(path));
    return writeFile(path, image);
}

QString WorkbenchPlot::dataCsv() const { return plottablesCsv(mPlottables); }

QString WorkbenchPlot::exportCsv(const QString& path) { return writeFile(path, dataCsv().toUtf8()); }

QString WorkbenchPlot::writeFile(const QString& path, const QByteArray& bytes) {
    const QString reason = writeFileAtomically(path, bytes);
    return reason.isEmpty() ? QString() : tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), reason);
}

void WorkbenchPlot::fitToData() {
    follows_data_ = true;
    fit();
    replot();
}

// One menu for the plot's life: an action's slot may run a modal dialog, during which a menu
// made per click and deleted once closed could be deleted under its own event handler.
void WorkbenchPlot::buildContextMenu() {
    context_menu_ = new QMenu(this);
    connect(context_menu_->addAction(tr("Save image…")), &QAction::triggered, this, [this] {
        saveThroughDialog(tr("Save plot image"),
                          {{QStringLiteral(".png"), tr("PNG image")},
                           {QStringLiteral(".svg"), tr("SVG drawing")},
                           {QStringLiteral(".pdf"), tr("PDF document")}},
                          &WorkbenchPlot::saveImage);
    });
    context_menu_->addSeparator();
    copy_csv_action_ = context_menu_->addAction(tr("Copy data as CSV"));
    connect(copy_csv_action_, &QAction::triggered, this, [this] { QGuiApplication::clipboard()->setText(dataCsv()); });
    export_csv_action_ = context_menu_->addAction(tr("Export data as CSV…"));
    connect(export_csv_action_, &QAction::triggered, this, [this] {
        saveThroughDialog(tr("Export plot data"), {{QStringLiteral(".csv"), tr("CSV file")}}, &WorkbenchPlot::exportCsv);
    });
    fit_separator_ = context_menu_->addSeparator();
    fit_action_ = context_menu_->addAction(tr("Fit to data"));
    connect(fit_action_, &QAction::triggered, this, &WorkbenchPlot::fitToData);
}

void WorkbenchPlot::contextMenuEvent(QContextMenuEvent* event) {
    const bool has_data = hasCsvRows(mPlottables);
    copy_csv_action_->setEnabled(has_data);
    export_csv_action_->setEnabled(has_data);
    // Only a plot the user can move has axes to fit again: the class plots' axes are the classes.
    const bool movable = interactions().testFlag(QCP::iRangeDrag) || interactions().testFlag(QCP::iRangeZoom);
    fit_separator_->setVisible(movable);
    fit_action_->setVisible(movable);
    context_menu_->popup(event->globalPos());
}

void WorkbenchPlot::saveThroughDialog(const QString& title, const FileTypes& types,
                                      QString (WorkbenchPlot::*save)(const QString&)) {
    // The patterns stay out of the translations, so that a translated filter still names its extension.
    QStringList filters;
    for (const auto& [suffix, description] : types) filters << QStringLiteral("%1 (*%2)").arg(description, suffix);
    QString chosen_filter = filters.first();
    QString path = QFileDialog::getSaveFileName(this, title, suggestedFileName(types.first().first),
                                                filters.join(QLatin1String(";;")), &chosen_filter);
    if (path.isEmpty()) return;
    // A name without one of the offered extensions gets the chosen filter's, so the dialog never
    // leads to a refusal: "loss" or "loss.v2" with the SVG filter becomes "loss.svg" or "loss.v2.svg".
    const QString suffix = QLatin1Char('.') + QFileInfo(path).suffix().toLower();
    const bool offered = std::any_of(types.begin(), types.end(), [&](const auto& type) { return type.first == suffix; });
    if (!offered) path += types.value(std::max<qsizetype>(0, filters.indexOf(chosen_filter))).first;

    const QString problem = (this->*save)(path);
    if (problem.isEmpty()) export_folder_ = QFileInfo(path).absolutePath();
    else QMessageBox::warning(this, title, problem);
}

// Named after what the plot shows, e.g. "matching-loss.png", in the folder the dialog starts in.
QString WorkbenchPlot::suggestedFileName(const QString& suffix) const {
    QString name = yAxis->label().section(QLatin1Char('\n'), 0, 0).toLower();
    static const QRegularExpression not_a_word(QStringLiteral("\\W+"), QRegularExpression::UseUnicodePropertiesOption);
    name.replace(not_a_word, QStringLiteral("-"));
    while (name.startsWith(QLatin1Char('-'))) name.remove(0, 1);
    while (name.endsWith(QLatin1Char('-'))) name.chop(1);
    if (name.isEmpty()) name = QStringLiteral("plot");
    return QDir(exportFolder()).filePath(name + suffix);
}

void WorkbenchPlot::setWholeNumberKeys() {
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);  // 1, 2, 5, 10, ... steps as the range grows
    xAxis->setTicker(ticker);
}

void WorkbenchPlot::fitIfFollowing() {
    if (follows_data_) fit();
}

void WorkbenchPlot::fit() {
    fitting_ = true;
    const QRect rect = axisRect()->rect();
    const double room = markerRoom();
    for (QCPAxis* axis : {xAxis, yAxis, yAxis2}) {
        QCPRange range;
        if (!dataRange(axis, range)) continue;
        if (zero_based_) range.expand(0.0);
        // A single value has no extent: give it one in proportion to its size (a learning rate of
        // 0.03 in a range of ±1 would sit on the zero line).
        double margin = range.size() > 0 ? 0.05 * range.size() : range.lower != 0 ? 0.1 * qAbs(range.lower) : 1.0;
        // In a short plot 5 % is a few pixels, and a marker at the largest value was cut in half
        // by the axis rect's edge: the margin is at least the largest marker's radius on screen.
        const double pixels = axis->orientation() == Qt::Vertical ? rect.height() : rect.width();
        const double marker_margin = range.size() > 0 && pixels > 4 * room ? range.size() * room / (pixels - 2 * room) : 0;
        margin = std::max(margin, marker_margin);
        // Zero stays at the edge but for the markers' room, so a point near zero is drawn whole.
        const bool keep_zero = zero_based_ && range.lower == 0;
        axis->setRange(keep_zero ? -marker_margin : range.lower - margin, range.upper + margin);
    }
    fitted_size_ = rect.size();
    fitting_ = false;
}

double WorkbenchPlot::markerRoom() const {
    double largest = 0;
    for (int i = 0; i < graphCount(); ++i) {
        const QCPGraph* g = graph(i);
        if (g->dataCount() == 0 || g->scatterStyle().isNone()) continue;
        const QCPScatterStyle& style = g->scatterStyle();
        const double pen = style.isPenDefined() ? style.pen().widthF() : g->pen().widthF();
        largest = std::max(largest, style.size() + pen);
    }
    return largest > 0 ? largest / 2 + 1 : 0;
}

void WorkbenchPlot::showLonePoint(QCPGraph* graph) {
    graph->setScatterStyle(graph->dataCount() == 1 ? QCPScatterStyle(QCPScatterStyle::ssDisc, graph->pen().color(), 7)
                                                   : QCPScatterStyle());
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
    fitToData();
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
