#pragma once
// One synthetic image large, with the label it is trained with: the bars of its distribution over
// the classes and that distribution's entropy. Non-modal, so it can stay open during a run and
// follow the image as new snapshots arrive.
#include <QDialog>

#include "widgets/image_conversion.h"
#include "widgets/run_snapshot.h"

class QLabel;
class QPushButton;

namespace distillery::ui {

class ImageDetailDialog : public QDialog {
    Q_OBJECT
public:
    explicit ImageDetailDialog(QWidget* parent = nullptr);

    // Shows image `index` of `images` and brings the dialog to the front.
    void showImage(const SyntheticImages& images, int index);
    // A newer snapshot of the same set: the same image, as it looks now (the last one if the set
    // shrank). An empty set closes the dialog.
    void updateImages(const SyntheticImages& images);

    int index() const { return index_; }
    QCustomPlot* plot() const { return plot_; }

Q_SIGNALS:
    // The image shown changed (opened, or the user stepped to a neighbour).
    void indexChanged(int index);

private:
    void setIndex(int index);
    void redraw();

    SyntheticImages images_;
    int index_ = -1;
    QLabel* heading_ = nullptr;
    QLabel* image_ = nullptr;
    QLabel* label_kind_ = nullptr;
    QLabel* top_label_ = nullptr;
    QLabel* entropy_ = nullptr;
    QLabel* iteration_ = nullptr;
    QPushButton* previous_ = nullptr;
    QPushButton* next_ = nullptr;
    LabelDistributionPlot* plot_ = nullptr;
};

}  // namespace distillery::ui
