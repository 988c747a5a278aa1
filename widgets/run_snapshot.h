#pragma once
// What the worker thread sends to the views: plain Qt values, copied out of the engine, so the UI
// thread never touches a tensor the engine is writing. No LibTorch here.
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

namespace distillery::ui {

// One matching iteration, as the plots need it.
struct StepPoint {
    qint64 iteration = 0;     // 0-based iteration this step performed
    double loss = 0;          // matching loss before the update
    double lr = 0;            // learned student lr after the update
    qint64 start_epoch = 0;
    qint64 syn_steps = 0;     // N, the student steps of this iteration
    QString mode;             // "unrolled", "tesla" or "exact"
    double seconds = 0;       // wall time of the step
    qint64 peak_bytes = -1;   // extra tensor memory of the gradient computation; -1: not measured
    bool updated = true;      // false when the update was skipped (threshold, non-finite)
};

// A hyperparameter change and the iteration it took effect at (plots mark it).
struct ChangeMark {
    qint64 iteration = 0;
    QString key, old_value, new_value;
};

// One evaluation of the synthetic set (test accuracy of networks trained on it, 0..1).
struct EvalPoint {
    qint64 iteration = 0;
    double mean = 0, std = 0;
    QString what;  // e.g. "synthetic", "random real"
    qint64 networks = 0;
    qint64 diverged = 0;  // networks whose training diverged at the lr (they test at chance)
};

// Peak memory of one gradient computation with N student steps in one mode.
struct MemoryPoint {
    QString mode;
    qint64 syn_steps = 0;
    qint64 peak_bytes = 0;
    double seconds = 0;
};

// The synthetic set, ready to show: pixels already mapped back from model space (normalisation
// or ZCA inverted) and clamped to [0, 1].
struct SyntheticImages {
    qint64 iteration = 0;  // the iteration these images are from
    int count = 0, channels = 0, height = 0, width = 0;
    QVector<float> pixels;      // [count, channels, height, width], row-major, in [0, 1]
    QVector<int> classes;       // [count]: the class each image was made for
    int num_classes = 0;
    QStringList class_names;    // [num_classes]
    QVector<float> label_probs; // [count, num_classes]: the label each image is trained with
                                // (one-hot for hard labels; soft for teacher or learned labels)
    QString label_kind;         // "hard", "teacher" or "learned"

    bool isEmpty() const { return count == 0; }
    int imageSize() const { return channels * height * width; }
    const float* image(int i) const { return pixels.constData() + static_cast<qsizetype>(i) * imageSize(); }
    const float* labelRow(int i) const { return label_probs.constData() + static_cast<qsizetype>(i) * num_classes; }
};

}  // namespace distillery::ui

Q_DECLARE_METATYPE(distillery::ui::StepPoint)
Q_DECLARE_METATYPE(distillery::ui::ChangeMark)
Q_DECLARE_METATYPE(distillery::ui::EvalPoint)
Q_DECLARE_METATYPE(distillery::ui::MemoryPoint)
Q_DECLARE_METATYPE(distillery::ui::SyntheticImages)
