#include "widgets/image_detail_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace distillery::ui {

namespace {

// The image is shown at the largest whole scale that fits this many pixels: 28 × 11, 32 × 10.
constexpr int kImageSide = 320;

}  // namespace

ImageDetailDialog::ImageDetailDialog(QWidget* parent) : QDialog(parent) {
    heading_ = new QLabel;
    QFont heading_font = heading_->font();
    heading_font.setPointSizeF(heading_font.pointSizeF() * 1.25);
    heading_font.setBold(true);
    heading_->setFont(heading_font);

    image_ = new QLabel;
    image_->setFrameShape(QFrame::Box);
    image_->setAlignment(Qt::AlignCenter);
    image_->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);

    label_kind_ = new QLabel;
    top_label_ = new QLabel;
    entropy_ = new QLabel;
    entropy_->setToolTip(tr("0 for a one-hot label, ln K for a label spread evenly over all K classes"));
    iteration_ = new QLabel;
    auto* facts = new QFormLayout;
    facts->addRow(tr("Trained with:"), label_kind_);
    facts->addRow(tr("Top label:"), top_label_);
    facts->addRow(tr("Entropy:"), entropy_);
    facts->addRow(tr("Iteration:"), iteration_);

    auto* image_column = new QVBoxLayout;
    image_column->addWidget(image_);
    image_column->addLayout(facts);
    image_column->addStretch();

    plot_ = new LabelDistributionPlot;
    plot_->setMinimumSize(420, 300);

    auto* body = new QHBoxLayout;
    body->addLayout(image_column);
    body->addWidget(plot_, 1);

    previous_ = new QPushButton(style()->standardIcon(QStyle::SP_ArrowBack), tr("Previous"));
    previous_->setShortcut(Qt::Key_Left);
    previous_->setToolTip(tr("The image before this one (Left arrow)"));
    next_ = new QPushButton(style()->standardIcon(QStyle::SP_ArrowForward), tr("Next"));
    next_->setShortcut(Qt::Key_Right);
    next_->setToolTip(tr("The image after this one (Right arrow)"));
    for (QPushButton* button : {previous_, next_}) button->setAutoDefault(false);
    connect(previous_, &QPushButton::clicked, this, [this] { setIndex(index_ - 1); });
    connect(next_, &QPushButton::clicked, this, [this] { setIndex(index_ + 1); });
    auto* close = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(previous_);
    buttons->addWidget(next_);
    buttons->addStretch();
    buttons->addWidget(close);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(heading_);
    layout->addLayout(body, 1);
    layout->addLayout(buttons);
}

void ImageDetailDialog::showImage(const SyntheticImages& images, int index) {
    images_ = images;
    setIndex(index);
    show();
    raise();
    activateWindow();
}

void ImageDetailDialog::updateImages(const SyntheticImages& images) {
    images_ = images;
    if (images_.isEmpty()) {
        hide();
        return;
    }
    setIndex(index_);
}

void ImageDetailDialog::setIndex(int index) {
    const int clamped = std::clamp(index, 0, std::max(images_.count - 1, 0));
    const bool changed = clamped != index_;
    index_ = clamped;
    redraw();
    if (changed) Q_EMIT indexChanged(index_);
}

void ImageDetailDialog::redraw() {
    const SyntheticImages& s = images_;
    if (index_ >= s.count) return;
    const QLocale locale;
    const int cls = s.classes.value(index_);
    const QString title = tr("Image %1 · class %2 (%3)").arg(index_).arg(cls).arg(className(s, cls));
    setWindowTitle(title);
    heading_->setText(title);

    const int scale = std::max(1, kImageSide / std::max({s.width, s.height, 1}));
    image_->setPixmap(scaledPixmap(imageToQImage(s, index_), scale, devicePixelRatioF()));
    image_->setToolTip(tr("%1 × %2 pixels, shown %3 times as large").arg(s.width).arg(s.height).arg(scale));

    const float* probs = s.labelRow(index_);
    const int top = topClass(probs, s.num_classes);
    label_kind_->setText(labelKindText(s.label_kind));
    top_label_->setText(tr("%1, %2").arg(className(s, top), locale.toString(probs[top], 'f', 2)));
    entropy_->setText(tr("%1 nats (uniform: %2)")
                          .arg(locale.toString(entropyOf(probs, s.num_classes), 'f', 3),
                               locale.toString(std::log(std::max(s.num_classes, 1)), 'f', 3)));
    iteration_->setText(locale.toString(s.iteration));

    previous_->setEnabled(index_ > 0);
    next_->setEnabled(index_ < s.count - 1);
    plot_->showDistribution(s, index_);
}

}  // namespace distillery::ui
