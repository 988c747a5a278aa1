#pragma once
// The run's hyperparameters, editable while it runs. Edits are not applied here: Apply hands each
// changed field to a validator (the worker, which asks the engine), and the panel shows what was
// accepted and, in red, what was refused and why. A refused field keeps the user's text so it can
// be corrected, while the run keeps its old value.
#include <QMap>
#include <QStringList>
#include <QWidget>

#include <functional>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace distillery::ui {

class HyperparameterPanel : public QWidget {
    Q_OBJECT
public:
    // Returns "" when the value is accepted, else the reason it is refused.
    using Validator = std::function<QString(const QString& key, const QString& value)>;

    explicit HyperparameterPanel(QWidget* parent = nullptr);

    void setValidator(Validator validator) { validator_ = std::move(validator); }
    // The values in effect; fields the user is editing keep their text.
    void setValues(const QMap<QString, QString>& values);
    QMap<QString, QString> values() const { return values_; }

    // For tests and scripts: type a value into a field, as a user would.
    void setFieldText(const QString& key, const QString& text);
    QString fieldText(const QString& key) const;
    QString messageText() const;
    // Whether a field is in the panel for the run's method (DATM's window only for DATM, ...).
    bool isFieldShown(const QString& key) const;
    // "0,01" -> "0.01" where the interface writes decimals with a comma; other text unchanged.
    static QString numberInCLocale(const QString& text);
    QPushButton* applyButton() const { return apply_; }

public Q_SLOTS:
    // Validates every field whose text differs from the value in effect.
    void apply();

Q_SIGNALS:
    // After apply(): what was accepted (key -> new value) and what was refused (key -> reason).
    void applied(const QMap<QString, QString>& accepted, const QMap<QString, QString>& refused);

private:
    QWidget* addField(const QString& key, const QString& label, const QString& tip);
    void markField(const QString& key, bool refused);
    void showFieldsOfMethod(const QMap<QString, QString>& values);

    Validator validator_;
    QFormLayout* form_ = nullptr;
    QMap<QString, QLineEdit*> edits_;
    QComboBox* mode_ = nullptr;  // gradient_mode
    QMap<QString, QString> values_;
    QLabel* message_ = nullptr;
    QPushButton* apply_ = nullptr;
    QPushButton* revert_ = nullptr;
};

}  // namespace distillery::ui
