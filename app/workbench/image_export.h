#pragma once
// Writing the synthetic set as PNG files (through OpenCV), for papers, slides and other tools.
#include <QString>

#include "widgets/run_snapshot.h"

namespace distillery::ui {

// The grid the image view shows, a row per class and a column per image of that class, every
// pixel scaled up `scale` times (nearest neighbour) with `scale` pixels of white between images.
// The file is written next to its final name and renamed, so a failed export never leaves a
// broken file in place of a good one. Returns "" or what went wrong.
QString exportGridPng(const SyntheticImages& images, const QString& path, int scale);

// The size exportGridPng writes: columns = the most images any class has.
QSize gridPngSize(const SyntheticImages& images, int scale);

// Every image as its own PNG (scaled `scale` times): DIR/<class index>_<class name>/<image index>.png.
// Returns "" or what went wrong; `written` counts the files written.
QString exportClassFolders(const SyntheticImages& images, const QString& dir, int scale, int* written = nullptr);

}  // namespace distillery::ui
