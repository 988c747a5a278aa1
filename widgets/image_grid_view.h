#pragma once
// The synthetic set as it evolves: a row per class, named at its left, and that class's images
// in the order of the set. Integer zoom keeps every image pixel a sharp square; clicking an image
// opens it in an ImageDetailDialog with its label distribution.
#include <QPixmap>
#include <QPoint>
#include <QVector>
#include <QWidget>

#include "widgets/repaint_coalescer.h"
#include "widgets/run_snapshot.h"

class QLabel;
class QScrollArea;

namespace distillery::ui {

class ImageDetailDialog;

class ImageGridView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMinZoom = 1, kMaxZoom = 16, kDefaultZoom = 3;

    explicit ImageGridView(QWidget* parent = nullptr);
    QSize sizeHint() const override;  // the same with or without images

    // Stores the snapshot; the grid shows it at the next redraw.
    void setImages(const SyntheticImages& images);
    const SyntheticImages& images() const { return images_; }  // the latest, maybe not yet shown
    int imageCount() const { return images_.count; }
    int shownCount() const { return shown_.count; }  // images drawn at the last redraw
    qint64 shownIteration() const { return shown_.iteration; }

    int zoom() const { return zoom_; }
    void setZoom(int zoom);
    void zoomIn() { setZoom(zoom_ + 1); }
    void zoomOut() { setZoom(zoom_ - 1); }

    // Where image `index` of the shown snapshot is drawn, in canvas() coordinates (empty if not shown).
    QRect imageRect(int index) const;
    // The widget that draws the grid and receives the mouse, inside the scroll area.
    QWidget* canvas() const { return canvas_; }
    ImageDetailDialog* detailDialog() const { return detail_; }  // nullptr until an image is clicked

    RepaintCoalescer* coalescer() const { return coalescer_; }
    void refreshNow() { coalescer_->flush(); }

Q_SIGNALS:
    void zoomChanged(int zoom);
    void imageClicked(int index);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void fitHeader();

private:
    void redraw();
    void relayout();
    QPoint gridOrigin() const;          // the top left of the first image column
    QSize cellPitch(int zoom) const;    // from one column, and one row, to the next
    void paintCanvas(QPaintEvent* event);
    int imageAt(const QPoint& pos) const;
    QString imageToolTip(int index) const;
    void setHovered(int index);
    void openDetail(int index);
    void zoomAround(int zoom, const QPoint& canvas_pos);

    RepaintCoalescer* coalescer_ = nullptr;
    QWidget* header_ = nullptr;
    QLabel* summary_ = nullptr;
    QLabel* hint_ = nullptr;
    QScrollArea* scroll_ = nullptr;
    QWidget* canvas_ = nullptr;
    ImageDetailDialog* detail_ = nullptr;

    SyntheticImages images_;      // the latest snapshot
    SyntheticImages shown_;       // the snapshot drawn, as of the last redraw
    QVector<QPixmap> pixmaps_;    // shown_'s images at their own size; the painter scales them
    QVector<QPoint> cells_;       // per shown image: x = its column, y = its row (= its class)
    QStringList row_labels_;      // per class: "3 Dress"
    int columns_ = 0;
    int label_width_ = 0;
    int zoom_ = kDefaultZoom;
    int hovered_ = -1;
    int pressed_ = -1;
    int wheel_delta_ = 0;         // a touchpad turns the wheel in small steps; a zoom step is 120
};

}  // namespace distillery::ui
