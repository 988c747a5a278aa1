#include "widgets/plot_export.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStringList>
#include <QSvgGenerator>
#include <QTemporaryDir>

#include <algorithm>

namespace distillery::ui {

namespace {

QByteArray svgBytes(QCustomPlot* plot) {
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(plot->size());
    generator.setViewBox(plot->rect());
    // The widget's resolution, so that fonts sized in points take the room they take on screen.
    generator.setResolution(plot->logicalDpiX());
    QCPPainter painter;
    if (!painter.begin(&generator)) return {};
    painter.setMode(QCPPainter::pmVectorized);
    plot->toPainter(&painter, plot->width(), plot->height());
    painter.end();
    return buffer.data();
}

// QCustomPlot's own savers write to a file name, not to a device: they write into a private
// temporary folder, and the bytes are read back from there.
QByteArray savedBytes(QCustomPlot* plot, PlotImageFormat format) {
    QTemporaryDir folder;
    if (!folder.isValid()) return {};
    const bool png = format == PlotImageFormat::Png;
    const QString path = folder.filePath(png ? QStringLiteral("plot.png") : QStringLiteral("plot.pdf"));
    const bool saved = png ? plot->savePng(path)
                           : plot->savePdf(path, 0, 0, QCP::epAllowCosmetic, QCoreApplication::applicationName());
    QFile file(path);
    if (!saved || !file.open(QIODevice::ReadOnly)) return {};
    return file.readAll();
}

QString csvField(QString text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')) &&
        !text.contains(QLatin1Char('\r')))
        return text;
    return QLatin1Char('"') + text.replace(QLatin1Char('"'), QLatin1String("\"\"")) + QLatin1Char('"');
}

QString csvNumber(double value) { return QString::number(value, 'g', 10); }

// A view's only series is often unnamed (QCustomPlot calls an unnamed graph "Graph N"): it is
// then what its value axis says it is.
QString seriesName(const QCPAbstractPlottable* plottable) {
    static const QRegularExpression automatic_name(QStringLiteral("^Graph \\d+$"));
    if (!plottable->name().isEmpty() && !automatic_name.match(plottable->name()).hasMatch()) return plottable->name();
    return plottable->valueAxis() ? plottable->valueAxis()->label().section(QLatin1Char('\n'), 0, 0).trimmed() : QString();
}

// The series that have points, in the order they were created. Error bars are not series of their
// own: they are the error column of the series they belong to.
QList<QCPAbstractPlottable*> seriesWithPoints(const QList<QCPAbstractPlottable*>& plottables) {
    QList<QCPAbstractPlottable*> series;
    for (QCPAbstractPlottable* plottable : plottables) {
        if (qobject_cast<QCPErrorBars*>(plottable)) continue;
        const QCPPlottableInterface1D* points = plottable->interface1D();
        if (points && points->dataCount() > 0) series << plottable;
    }
    return series;
}

QHash<const QCPAbstractPlottable*, const QCPErrorBars*> errorBarsBySeries(const QList<QCPAbstractPlottable*>& plottables) {
    QHash<const QCPAbstractPlottable*, const QCPErrorBars*> error_bars;
    for (QCPAbstractPlottable* plottable : plottables)
        if (const auto* bars = qobject_cast<QCPErrorBars*>(plottable))
            if (bars->dataPlottable() && !bars->data()->isEmpty()) error_bars.insert(bars->dataPlottable(), bars);
    return error_bars;
}

}  // namespace

PlotImageFormat plotImageFormatFor(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png")) return PlotImageFormat::Png;
    if (suffix == QLatin1String("pdf")) return PlotImageFormat::Pdf;
    if (suffix == QLatin1String("svg")) return PlotImageFormat::Svg;
    return PlotImageFormat::Unknown;
}

QByteArray renderPlotImage(QCustomPlot* plot, PlotImageFormat format) {
    switch (format) {
    case PlotImageFormat::Svg: return svgBytes(plot);
    case PlotImageFormat::Png:
    case PlotImageFormat::Pdf: return savedBytes(plot, format);
    case PlotImageFormat::Unknown: break;
    }
    return {};
}

QString plottablesCsv(const QList<QCPAbstractPlottable*>& plottables) {
    const QList<QCPAbstractPlottable*> series = seriesWithPoints(plottables);
    const QHash<const QCPAbstractPlottable*, const QCPErrorBars*> error_bars = errorBarsBySeries(plottables);
    const bool with_errors =
        std::any_of(series.begin(), series.end(), [&](const QCPAbstractPlottable* s) { return error_bars.contains(s); });

    QString csv = with_errors ? QStringLiteral("series,x,y,error\n") : QStringLiteral("series,x,y\n");
    for (QCPAbstractPlottable* plottable : series) {
        const QString name = csvField(seriesName(plottable));
        const QCPPlottableInterface1D* points = plottable->interface1D();
        const QCPErrorBars* errors = error_bars.value(plottable);
        for (int i = 0; i < points->dataCount(); ++i) {
            QStringList row = {name, csvNumber(points->dataMainKey(i)), csvNumber(points->dataMainValue(i))};
            // The workbench's error bars are symmetric (± one standard deviation): one column says it.
            if (with_errors) row << (errors && i < errors->data()->size() ? csvNumber(errors->data()->at(i).errorPlus) : QString());
            csv += row.join(QLatin1Char(',')) + QLatin1Char('\n');
        }
    }
    return csv;
}

bool hasCsvRows(const QList<QCPAbstractPlottable*>& plottables) { return !seriesWithPoints(plottables).isEmpty(); }

QString writeFileAtomically(const QString& path, const QByteArray& bytes) {
    QSaveFile file(path);
    // Unbuffered: a buffered write that fails only when commit() flushes it (a full disk) is not
    // noticed by QSaveFile (Qt 6.4), which would then rename the cut-off file into place.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered)) return file.errorString();
    if (file.write(bytes) != bytes.size()) return file.errorString();  // uncommitted: the temporary file goes
    if (!file.commit()) return file.errorString();
    return {};
}

}  // namespace distillery::ui
