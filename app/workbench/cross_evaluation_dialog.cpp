#include "workbench/cross_evaluation_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace distillery::ui {
namespace {

struct NetworkChoice {
    const char* name;  // as nn/architectures.h and `distillery-cli eval --arch` spell it
    const char* text;
};

// The networks of nn/architectures.h, in its order.
const NetworkChoice kNetworks[] = {
    {"convnet", QT_TRANSLATE_NOOP("distillery::ui::CrossEvaluationDialog", "ConvNet (the run's width and depth)")},
    {"convnetbn", QT_TRANSLATE_NOOP("distillery::ui::CrossEvaluationDialog", "ConvNet with batch norm")},
    {"mlp", QT_TRANSLATE_NOOP("distillery::ui::CrossEvaluationDialog", "MLP (2 × 128)")},
    {"alexnet", QT_TRANSLATE_NOOP("distillery::ui::CrossEvaluationDialog", "AlexNet")},
    {"vgg11", QT_TRANSLATE_NOOP("distillery::ui::CrossEvaluationDialog", "VGG-11 (instance norm)")},
    {"vgg11bn", QT_TRANSLATE_NOOP("distillery::ui::CrossEvaluationDialog", "VGG-11 with batch norm")},
    {"resnet18", QT_TRANSLATE_NOOP("distillery::ui::CrossEvaluationDialog", "ResNet-18 (instance norm)")},
    {"resnet18bn", QT_TRANSLATE_NOOP("distillery::ui::CrossEvaluationDialog", "ResNet-18 with batch norm")},
};

}  // namespace

CrossEvaluationDialog::CrossEvaluationDialog(QWidget* parent) : QDialog(parent) {
    setObjectName("cross_evaluation");
    setWindowTitle(tr("Evaluate on other networks"));
    setModal(false);
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Train fresh networks of each kind on the current synthetic set with the evaluation "
                                "protocol (its learned lr, DSA) and test them. Networks much larger than the ConvNet "
                                "take long on a CPU."));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* box = new QGroupBox(tr("Networks"));
    auto* grid = new QGridLayout(box);
    int i = 0;
    for (const auto& n : kNetworks) {
        auto* check = new QCheckBox(tr(n.text));
        check->setObjectName(QStringLiteral("network_%1").arg(QLatin1String(n.name)));
        connect(check, &QCheckBox::toggled, this, &CrossEvaluationDialog::updateButton);
        grid->addWidget(check, i / 2, i % 2);
        networks_.insert(QLatin1String(n.name), check);
        ++i;
    }
    layout->addWidget(box);
    baselines_ = new QCheckBox(tr("Also a random real subset of the same size, with hard labels and with the run's kind "
                                  "of soft labels (what soft labels alone give)"));
    baselines_->setObjectName("with_baselines");
    baselines_->setChecked(true);
    layout->addWidget(baselines_);
    table_ = new QTableWidget(0, 1);
    table_->setObjectName("cross_results");
    table_->setHorizontalHeaderLabels({tr("synthetic set")});
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(table_, 1);
    status_ = new QLabel;
    status_->setObjectName("cross_status");
    layout->addWidget(status_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    evaluate_ = buttons->addButton(tr("&Evaluate"), QDialogButtonBox::ActionRole);
    evaluate_->setObjectName("cross_evaluate");
    connect(evaluate_, &QPushButton::clicked, this, [this] {
        const auto archs = chosenNetworks();
        if (archs.isEmpty()) return;
        busy_ = true;
        updateButton();
        status_->setText(tr("Evaluating on %1…").arg(archs.join(QStringLiteral(", "))));
        Q_EMIT evaluateRequested(archs, withBaselines());
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    layout->addWidget(buttons);
    updateButton();
    resize(640, 520);
}

QStringList CrossEvaluationDialog::chosenNetworks() const {
    QStringList out;
    for (const auto& n : kNetworks)
        if (networks_.value(QLatin1String(n.name))->isChecked()) out << QLatin1String(n.name);
    return out;
}

bool CrossEvaluationDialog::withBaselines() const { return baselines_->isChecked(); }

void CrossEvaluationDialog::setRunAvailable(bool available) {
    run_available_ = available;
    updateButton();
}

void CrossEvaluationDialog::updateButton() {
    evaluate_->setEnabled(run_available_ && !busy_ && !chosenNetworks().isEmpty());
    const bool no_run = !run_available_ && !busy_;
    if (no_run) status_->setText(tr("Start or open a run first: there is no synthetic set yet."));
    else if (saying_no_run_) status_->clear();
    saying_no_run_ = no_run;
}

int CrossEvaluationDialog::rowFor(const QString& arch) {
    for (int r = 0; r < table_->rowCount(); ++r)
        if (table_->verticalHeaderItem(r)->data(Qt::UserRole).toString() == arch) return r;
    const int r = table_->rowCount();
    table_->insertRow(r);
    auto* header = new QTableWidgetItem(arch);
    header->setData(Qt::UserRole, arch);
    table_->setVerticalHeaderItem(r, header);
    return r;
}

int CrossEvaluationDialog::columnFor(const QString& what) {
    if (what == QLatin1String("synthetic")) return 0;
    for (int c = 1; c < table_->columnCount(); ++c)
        if (table_->horizontalHeaderItem(c)->text() == what) return c;
    const int c = table_->columnCount();
    table_->insertColumn(c);
    table_->setHorizontalHeaderItem(c, new QTableWidgetItem(what));
    return c;
}

void CrossEvaluationDialog::showResult(const QString& arch, const EvalPoint& point) {
    const int r = rowFor(arch), c = columnFor(point.what);
    auto* item = new QTableWidgetItem(
        QStringLiteral("%1 ± %2 %").arg(100 * point.mean, 0, 'f', 2).arg(100 * point.std, 0, 'f', 2));
    if (point.diverged > 0) {
        item->setText(item->text() + QLatin1Char(' ') + tr("(%1 of %2 diverged)").arg(point.diverged).arg(point.networks));
        item->setToolTip(tr("The training of %1 of these %2 networks diverged at the lr they trained with: their parameters "
                            "became NaN or infinite, so they stopped there and test at chance. Networks without "
                            "normalisation (alexnet) need a smaller lr than the ConvNet the set was distilled with.")
                             .arg(point.diverged)
                             .arg(point.networks));
    }
    item->setData(Qt::UserRole, point.mean);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    table_->setItem(r, c, item);
    status_->setText(tr("%1 on %2: %3 (iteration %4)").arg(point.what, arch, item->text()).arg(point.iteration));
}

void CrossEvaluationDialog::finish(bool complete) {
    busy_ = false;
    status_->setText(complete ? tr("Done.") : tr("Stopped; the results so far stay in the table."));
    updateButton();
}

}  // namespace distillery::ui
