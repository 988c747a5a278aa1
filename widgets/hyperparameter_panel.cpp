#include "widgets/hyperparameter_panel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace distillery::ui {

HyperparameterPanel::HyperparameterPanel(QWidget* parent) : QWidget(parent) {
    auto* inner = new QWidget;
    form_ = new QFormLayout(inner);
    form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    addField("gradient_mode", tr("Gradient mode"),
             tr("unrolled: MTT's back-propagation through every student step (memory grows with N)\n"
                "tesla: TESLA's constant-memory first-order gradient\n"
                "exact: the same gradient as unrolled with constant activation memory"));
    addField("lr_img", tr("lr of images"), tr("Step size of the synthetic images' SGD (MTT: lr_img)"));
    addField("lr_lr", tr("lr of lr"), tr("Step size of the learned student learning rate (lr_lr)"));
    addField("lr_y", tr("lr of labels"), tr("Step size of DATM's learned label logits (lr_y)"));
    addField("syn_steps", tr("Matching steps N"), tr("Student steps on synthetic data per iteration (syn_steps)"));
    addField("expert_epochs", tr("Expert epochs M"), tr("The target is the expert M epochs after the start (expert_epochs)"));
    addField("min_start_epoch", tr("Start epoch from"), tr("Lowest start epoch drawn (min_start_epoch)"));
    addField("max_start_epoch", tr("Start epoch below"), tr("Start epochs are drawn below this (max_start_epoch)"));
    addField("current_max_start_epoch", tr("Window starts at"),
             tr("DATM: the upper bound of the start-epoch window at iteration 0 (current_max_start_epoch)"));
    addField("expansion_end_epoch", tr("Window full at iteration"),
             tr("DATM: the iteration by which the window has grown to max_start_epoch (expansion_end_epoch)"));
    addField("batch_syn", tr("Synthetic batch"), tr("Synthetic images per student step; 0 = all (batch_syn)"));
    addField("threshold", tr("Loss threshold"), tr("DATM: updates are skipped when the loss is above this (threshold)"));
    addField("lr_floor", tr("lr floor"), tr("The learned lr is kept at or above this; -inf = no floor (lr_floor)"));
    addField("Iteration", tr("Iterations"), tr("Length of the run (Iteration)"));
    addField("eval_it", tr("Evaluate every"), tr("Evaluate the synthetic set every this many iterations; 0 = at the end (eval_it)"));

    auto* scroll = new QScrollArea;
    scroll->setWidget(inner);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    message_ = new QLabel;
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    apply_ = new QPushButton(tr("Apply"));
    apply_->setToolTip(tr("Validate the changed fields and apply them at the next step (Enter in a field does the same)"));
    revert_ = new QPushButton(tr("Revert"));
    revert_->setToolTip(tr("Show the values in effect again"));
    connect(apply_, &QPushButton::clicked, this, &HyperparameterPanel::apply);
    connect(revert_, &QPushButton::clicked, this, [this] {
        for (auto it = edits_.begin(); it != edits_.end(); ++it) {
            it.value()->setText(values_.value(it.key()));
            markField(it.key(), false);
        }
        mode_->setCurrentText(values_.value("gradient_mode"));
        message_->clear();
    });

    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(revert_);
    buttons->addWidget(apply_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addWidget(message_);
    layout->addLayout(buttons);
}

QWidget* HyperparameterPanel::addField(const QString& key, const QString& label, const QString& tip) {
    QWidget* field;
    if (key == "gradient_mode") {
        mode_ = new QComboBox;
        mode_->addItems({"unrolled", "tesla", "exact"});
        field = mode_;
    } else {
        auto* edit = new QLineEdit;
        connect(edit, &QLineEdit::returnPressed, this, &HyperparameterPanel::apply);
        edits_.insert(key, edit);
        field = edit;
    }
    field->setObjectName(key);
    field->setToolTip(tip);
    auto* name = new QLabel(label);
    name->setToolTip(tip);
    form_->addRow(name, field);
    return field;
}

void HyperparameterPanel::showFieldsOfMethod(const QMap<QString, QString>& values) {
    // Only the fields that act in this run: DATM's window and threshold, learned labels' lr.
    const bool growing_window = values.value("sequential_generation") == QLatin1String("true");
    const bool learned_labels = values.value("label_mode") == QLatin1String("learned");
    const bool threshold_used = values.value("method") == QLatin1String("datm") || values.value("threshold", "inf") != QLatin1String("inf");
    const QMap<QString, bool> shown{{"current_max_start_epoch", growing_window},
                                    {"expansion_end_epoch", growing_window},
                                    {"lr_y", learned_labels},
                                    {"threshold", threshold_used}};
    for (auto it = shown.begin(); it != shown.end(); ++it)
        if (QLineEdit* edit = edits_.value(it.key())) form_->setRowVisible(edit, it.value());
}

bool HyperparameterPanel::isFieldShown(const QString& key) const {
    const QWidget* field = key == "gradient_mode" ? static_cast<QWidget*>(mode_) : edits_.value(key);
    return field && !field->isHidden();
}

QString HyperparameterPanel::numberInCLocale(const QString& text) {
    // A German user types "0,01": with a comma as the interface's decimal point, one comma and no
    // dot is a decimal comma. (Elsewhere "1,000" could mean a thousand, so it is left alone.)
    if (QLocale().decimalPoint() != QLatin1String(",") || text.count(',') != 1 || text.contains('.')) return text;
    QString c_text = text;
    return c_text.replace(',', '.');
}

void HyperparameterPanel::setValues(const QMap<QString, QString>& values) {
    showFieldsOfMethod(values);
    for (auto it = values.begin(); it != values.end(); ++it) {
        const QString old = values_.value(it.key());
        if (auto* edit = edits_.value(it.key())) {
            // A field the user has changed and not applied keeps the user's text.
            if (edit->text() == old || edit->text().isEmpty()) {
                edit->setText(it.value());
                markField(it.key(), false);
            }
        } else if (it.key() == "gradient_mode" && (mode_->currentText() == old || old.isEmpty())) {
            mode_->setCurrentText(it.value());
        }
    }
    values_ = values;
}

void HyperparameterPanel::setFieldText(const QString& key, const QString& text) {
    if (key == "gradient_mode") mode_->setCurrentText(text);
    else if (auto* edit = edits_.value(key)) edit->setText(text);
}

QString HyperparameterPanel::fieldText(const QString& key) const {
    if (key == "gradient_mode") return mode_->currentText();
    const auto* edit = edits_.value(key);
    return edit ? edit->text() : QString();
}

QString HyperparameterPanel::messageText() const { return message_->text(); }

void HyperparameterPanel::markField(const QString& key, bool refused) {
    QWidget* field = key == "gradient_mode" ? static_cast<QWidget*>(mode_) : edits_.value(key);
    if (field) field->setStyleSheet(refused ? QStringLiteral("background: #fde2e1;") : QString());
}

void HyperparameterPanel::apply() {
    QMap<QString, QString> accepted, refused;
    QStringList keys = edits_.keys();
    keys.prepend("gradient_mode");
    for (const auto& key : keys) {
        const QString text = numberInCLocale(fieldText(key).trimmed());
        if (text == values_.value(key) || !validator_) continue;
        const QString problem = validator_(key, text);
        markField(key, !problem.isEmpty());
        if (problem.isEmpty()) {
            accepted.insert(key, text);
            values_.insert(key, text);
        } else {
            refused.insert(key, problem);
        }
    }
    QStringList lines;
    for (auto it = accepted.begin(); it != accepted.end(); ++it)
        lines << tr("<span style='color:#1a7f37'>%1 = %2: applied at the next step</span>").arg(it.key(), it.value().toHtmlEscaped());
    for (auto it = refused.begin(); it != refused.end(); ++it)
        lines << tr("<span style='color:#c62828'>%1 refused: %2</span>").arg(it.key(), it.value().toHtmlEscaped());
    message_->setText(lines.isEmpty() ? tr("Nothing changed") : lines.join("<br>"));
    Q_EMIT applied(accepted, refused);
}

}  // namespace distillery::ui
