#include "workbench/image_export.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSize>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>

namespace distillery::ui {
namespace {

// One image as an 8-bit OpenCV matrix (grey, or BGR as OpenCV writes colour), scaled up.
cv::Mat to_mat(const SyntheticImages& s, int index, int scale) {
    const float* src = s.image(index);
    const int plane = s.height * s.width;
    cv::Mat m(s.height, s.width, s.channels == 1 ? CV_8UC1 : CV_8UC3);
    for (int y = 0; y < s.height; ++y) {
        auto* row = m.ptr<unsigned char>(y);
        for (int x = 0; x < s.width; ++x) {
            for (int c = 0; c < std::min(s.channels, 3); ++c) {
                const float v = std::clamp(src[c * plane + y * s.width + x], 0.0f, 1.0f);
                // RGB planes into BGR order.
                const int out = s.channels == 1 ? 0 : 2 - c;
                row[x * m.channels() + out] = static_cast<unsigned char>(std::lround(v * 255.0f));
            }
        }
    }
    if (scale > 1) cv::resize(m, m, cv::Size(), scale, scale, cv::INTER_NEAREST);
    return m;
}

QVector<QVector<int>> images_by_class(const SyntheticImages& s) {
    QVector<QVector<int>> rows(std::max(s.num_classes, 1));
    for (int i = 0; i < s.count; ++i)
        if (s.classes.value(i) >= 0 && s.classes.value(i) < rows.size()) rows[s.classes[i]].append(i);
    return rows;
}

// cv::imwrite picks the format from the extension, so the temporary file keeps ".png".
QString write_png_atomically(const cv::Mat& m, const QString& path) {
    const QString tmp = path + QStringLiteral(".partial.png");
    bool ok = false;
    try {
        ok = cv::imwrite(QFile::encodeName(tmp).toStdString(), m);
    } catch (const std::exception& e) {
        QFile::remove(tmp);
        return QObject::tr("%1: %2").arg(path, QString::fromLocal8Bit(e.what()));
    }
    if (!ok) {
        QFile::remove(tmp);
        return QObject::tr("%1: cannot write here (is the folder writable, is the disk full?)").arg(path);
    }
    // rename(2) replaces an existing file in one step: whoever opens `path` finds the old file or
    // the new one, never none, and when it fails the old file is still there. (QFile::rename
    // refuses to replace, and removing first leaves a moment, or after a failure for good, with
    // no file.)
    if (std::rename(QFile::encodeName(tmp).constData(), QFile::encodeName(path).constData()) != 0) {
        QFile::remove(tmp);
        return QObject::tr("%1: cannot replace the existing file").arg(path);
    }
    return {};
}

QString folder_name(const SyntheticImages& s, int cls) {
    QString name = s.class_names.value(cls, QString::number(cls));
    for (auto& ch : name)
        if (!ch.isLetterOrNumber() && ch != '-') ch = '_';
    return QStringLiteral("%1_%2").arg(cls, 2, 10, QLatin1Char('0')).arg(name);
}

}  // namespace

QSize gridPngSize(const SyntheticImages& s, int scale) {
    const auto rows = images_by_class(s);
    int cols = 0;
    for (const auto& r : rows) cols = std::max(cols, static_cast<int>(r.size()));
    const int gap = scale;
    return {cols * s.width * scale + (cols + 1) * gap, static_cast<int>(rows.size()) * s.height * scale + (static_cast<int>(rows.size()) + 1) * gap};
}

QString exportGridPng(const SyntheticImages& s, const QString& path, int scale) {
    if (s.isEmpty()) return QObject::tr("There are no synthetic images to export yet");
    if (scale < 1 || scale > 64) return QObject::tr("The scale must be between 1 and 64");
    const auto rows = images_by_class(s);
    const QSize size = gridPngSize(s, scale);
    const int gap = scale;
    cv::Mat grid(size.height(), size.width(), s.channels == 1 ? CV_8UC1 : CV_8UC3, cv::Scalar::all(255));
    for (int r = 0; r < rows.size(); ++r) {
        for (int c = 0; c < rows[r].size(); ++c) {
            const cv::Mat tile = to_mat(s, rows[r][c], scale);
            const int x = gap + c * (s.width * scale + gap), y = gap + r * (s.height * scale + gap);
            tile.copyTo(grid(cv::Rect(x, y, tile.cols, tile.rows)));
        }
    }
    return write_png_atomically(grid, path);
}

QString exportClassFolders(const SyntheticImages& s, const QString& dir, int scale, int* written) {
    if (written) *written = 0;
    if (s.isEmpty()) return QObject::tr("There are no synthetic images to export yet");
    if (scale < 1 || scale > 64) return QObject::tr("The scale must be between 1 and 64");
    const auto rows = images_by_class(s);
    for (int cls = 0; cls < rows.size(); ++cls) {
        const QString folder = QDir(dir).filePath(folder_name(s, cls));
        if (!QDir().mkpath(folder)) return QObject::tr("%1: cannot create this folder").arg(folder);
        for (const int i : rows[cls]) {
            const QString problem =
                write_png_atomically(to_mat(s, i, scale), QDir(folder).filePath(QStringLiteral("%1.png").arg(i, 4, 10, QLatin1Char('0'))));
            if (!problem.isEmpty()) return problem;
            if (written) ++*written;
        }
    }
    return {};
}

}  // namespace distillery::ui
