#pragma once
// A plot as files: its picture as PNG, PDF or SVG, its data as CSV, and the one way every such
// file is written (a temporary file renamed into place), so a failed save never leaves a half file
// and never replaces the file that was there. The user-facing messages are WorkbenchPlot's.
#include <QByteArray>
#include <QList>
#include <QString>

#include "widgets/qcp.h"

namespace distillery::ui {

enum class PlotImageFormat { Png, Pdf, Svg, Unknown };

// By the file name's extension, in any letter case.
PlotImageFormat plotImageFormatFor(const QString& path);

// The plot at its size on screen, as the bytes of an image file; empty when it could not be drawn.
QByteArray renderPlotImage(QCustomPlot* plot, PlotImageFormat format);

// Every plottable with one-dimensional data (graphs, bars; not colour maps) that has points:
// "series,x,y" and one row per point, with an "error" column when some series has error bars.
// Numbers are locale-independent with 10 significant digits; names are quoted as RFC 4180 says.
QString plottablesCsv(const QList<QCPAbstractPlottable*>& plottables);
// Whether plottablesCsv() has any row.
bool hasCsvRows(const QList<QCPAbstractPlottable*>& plottables);

// Writes `bytes` to `path` through QSaveFile: "" when done, else the system's reason.
QString writeFileAtomically(const QString& path, const QByteArray& bytes);

}  // namespace distillery::ui
