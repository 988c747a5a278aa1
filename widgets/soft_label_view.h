#pragma once
// The labels the synthetic images are trained with, where they are soft (TESLA's teacher labels,
// DATM's learned ones): which classes each class's images point to, how spread out their labels
// are, and one image's label. Hard labels show the identity and say why.
#include <QVector>
#include <QWidget>

#include "widgets/image_conversion.h"
#include "widgets/repaint_coalescer.h"
#include "widgets/run_snapshot.h"

class QLabel;
class QMouseEvent;
class QSpinBox;
class QStackedWidget;

namespace distillery::ui {

class SoftLabelView : public QWidget {
    Q_OBJECT
public:
    explicit SoftLabelView(QWidget* parent = nullptr);

    // Stores the snapshot; the view computes and shows its labels at the next redraw.
    void setImages(const SyntheticImages& images);

    // As of the last redraw, K × K row-major: row r, column c is the mean probability the images
    // made for class r give class c (a row of a class without images is 0).
    QVector<double> classMatrix() const { return matrix_; }
    int shownCount() const { return shown_.count; }  // images whose labels the last redraw shows
    // Per class, the mean entropy (nats) of its images' labels.
    QVector<double> classEntropy() const { return entropy_; }

    // The image whose label the bottom chart shows (an index into the shown snapshot).
    int selectedImage() const;
    void selectImage(int index);

    RepaintCoalescer* coalescer() const { return coalescer_; }
    void refreshNow() { coalescer_->flush(); }

private:
    void redraw();
    void drawMatrix(const QStringList& names);
    void drawEntropy(const QStringList& names);
    void showSelectedImage();
    void showCellTip(QMouseEvent* event);
    void fitCellValues();

    RepaintCoalescer* coalescer_ = nullptr;
    QStackedWidget* pages_ = nullptr;  // a message until there are images, then the plots
    QLabel* summary_ = nullptr;
    QLabel* hard_note_ = nullptr;

    ClassPlot* matrix_plot_ = nullptr;
    QCPColorMap* matrix_map_ = nullptr;
    QVector<QCPItemText*> cell_values_;  // the numbers in the cells, while there are few classes

    ClassPlot* entropy_plot_ = nullptr;
    QCPBars* entropy_bars_ = nullptr;
    QCPItemStraightLine* uniform_line_ = nullptr;
    QCPItemText* uniform_label_ = nullptr;

    QSpinBox* image_spin_ = nullptr;
    QLabel* image_thumb_ = nullptr;
    QLabel* image_info_ = nullptr;
    LabelDistributionPlot* image_plot_ = nullptr;

    SyntheticImages images_;  // the latest snapshot
    SyntheticImages shown_;   // the snapshot of the last redraw
    QVector<double> matrix_, entropy_;
};

}  // namespace distillery::ui
