#pragma once
// What the workbench's plots share: one colour per gradient mode, so a mode looks the same in every
// view; the look and mouse behaviour of a plot; and the marks of hyperparameter changes.
#include <QByteArray>
#include <QColor>
#include <QPair>
#include <QString>
#include <QVector>

#include "widgets/qcp.h"
#include "widgets/run_snapshot.h"

class QAction;
class QMenu;

namespace distillery::ui {

inline QColor modeColor(const QString& mode) {
    if (mode == QLatin1String("unrolled")) return {214, 39, 40};
    if (mode == QLatin1String("tesla")) return {255, 127, 14};
    if (mode == QLatin1String("exact")) return {31, 119, 180};
    return {127, 127, 127};
}

// A QCustomPlot with the workbench's look: fonts that stay readable in a small dock, a light grid,
// and the legend in a row above the axes (inside them it would hide data), wrapped to the width.
// The axes follow the data until the user drags or zooms; a double-click fits them again. A right
// click opens a menu that saves the picture, copies or exports the data, and fits the axes.
class WorkbenchPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit WorkbenchPlot(QWidget* parent = nullptr);

    // What the mouse does, for the plot's tooltip.
    static QString interactionHint();

    // Where the menu's file dialogs start (e.g. the run's folder); empty: the home folder. After a
    // save it is the folder the user chose, until the owner sets another.
    void setExportFolder(const QString& folder) { export_folder_ = folder; }
    QString exportFolder() const;

    // The plot as it is on screen, at its size, to `path`: PNG, SVG or PDF by the extension.
    // Returns "" when written, else a message for the user. The file is written under a
    // temporary name and renamed into place, so a failed save leaves what was there before.
    QString saveImage(const QString& path);
    // Every graph's (and bar series') points as CSV: a header "series,x,y" (",error" when a series
    // has error bars), then one row per point.
    QString dataCsv() const;
    // dataCsv() to `path`, as saveImage() writes: "" or a message for the user.
    QString exportCsv(const QString& path);
    // What a double-click does: fit the axes to the data and follow it again.
    void fitToData();

    // Fitted axes include zero: for quantities such as memory, whose ratios the eye compares.
    void setZeroBased(bool zero_based) { zero_based_ = zero_based; }
    // Ticks of the x axis at whole numbers only (iterations, step counts): no "2.5" iterations.
    void setWholeNumberKeys();
    bool followsData() const { return follows_data_; }
    // Fit to the data on every redraw again, as after a double-click (e.g. for a new run).
    void followData() { follows_data_ = true; }
    // Fits the axes to the data unless the user has moved them since the last fit.
    void fitIfFollowing();
    // Lists the graphs that have data, in the order they were created; the legend hides when none has.
    void updateLegend();
    // A line needs two points: until `graph` has them, its one point is drawn as a dot, so the
    // first step of a slow run shows at once instead of an empty plot.
    static void showLonePoint(QCPGraph* graph);

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void fit();
    // Pixels to leave between the axis rect's edge and a point, so its marker is drawn whole.
    double markerRoom() const;
    void wrapLegend();
    void buildContextMenu();
    // The menu's "Save image…" and "Export data as CSV…": a file dialog of these types (suffix,
    // description), then `save`; a failure is shown in a message box.
    using FileTypes = QVector<QPair<QString, QString>>;
    void saveThroughDialog(const QString& title, const FileTypes& types, QString (WorkbenchPlot::*save)(const QString&));
    QString suggestedFileName(const QString& suffix) const;
    static QString writeFile(const QString& path, const QByteArray& bytes);  // "" or a message

    QMenu* context_menu_ = nullptr;
    QAction* copy_csv_action_ = nullptr;
    QAction* export_csv_action_ = nullptr;
    QAction* fit_separator_ = nullptr;
    QAction* fit_action_ = nullptr;
    QString export_folder_;
    bool zero_based_ = false;
    bool follows_data_ = true;
    bool fitting_ = false;  // our own range changes are not the user's
    QSize fitted_size_;     // the axis rect's size at the last fit
};

// The hyperparameter changes on one plot: a dashed line at each changed iteration and the changes
// as "key: old → new". Only the items it made are ever removed, so other items on the plot stay.
class ChangeMarkItems {
public:
    // Replaces the marks drawn before with these; nothing happens when they are the same.
    void show(QCustomPlot* plot, const QVector<ChangeMark>& marks);

private:
    QVector<ChangeMark> shown_;
    QVector<QCPAbstractItem*> items_;
};

}  // namespace distillery::ui
