#pragma once
// Run → Evaluate on other networks…: the networks to train on the current synthetic set (the
// reference code's cross-architecture models), whether to put the random real baselines beside
// each, and a table that fills as the worker's results arrive. Not modal: the run's views stay
// usable while the (long) evaluation goes on. No LibTorch here; the worker does the work.
#include <QDialog>
#include <QMap>
#include <QStringList>

#include "widgets/run_snapshot.h"

class QCheckBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace distillery::ui {

class CrossEvaluationDialog : public QDialog {
    Q_OBJECT
public:
    explicit CrossEvaluationDialog(QWidget* parent = nullptr);

    QStringList chosenNetworks() const;
    bool withBaselines() const;

    // A result for `arch` (point.what: "synthetic" or a baseline's name) goes into its cell.
    void showResult(const QString& arch, const EvalPoint& point);
    // The worker finished (or was stopped): the Evaluate button is usable again.
    void finish(bool complete);
    // Whether there is a run to evaluate (Evaluate is disabled without one).
    void setRunAvailable(bool available);

Q_SIGNALS:
    void evaluateRequested(const QStringList& archs, bool baselines);

private:
    void updateButton();
    int rowFor(const QString& arch);
    int columnFor(const QString& what);

    QMap<QString, QCheckBox*> networks_;
    QCheckBox* baselines_ = nullptr;
    QPushButton* evaluate_ = nullptr;
    QTableWidget* table_ = nullptr;
    QLabel* status_ = nullptr;
    bool busy_ = false, run_available_ = false;
    bool saying_no_run_ = false;  // the status line says there is no run
};

}  // namespace distillery::ui
