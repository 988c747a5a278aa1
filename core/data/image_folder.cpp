// The image-folder reader: one sub-folder per class, images decoded and resized with OpenCV.
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>

#include "common/error.h"
#include "data/dataset.h"

#ifdef DISTILLERY_HAVE_OPENCV
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#endif

namespace fs = std::filesystem;

namespace distillery {

#ifdef DISTILLERY_HAVE_OPENCV
namespace {

bool is_image(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    for (const char* e : {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm"})
        if (ext == e) return true;
    return false;
}

std::vector<std::string> class_dirs(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_directory()) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<fs::path> images_in(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && is_image(e.path())) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

Tensor read_image(const fs::path& file, std::int64_t height, std::int64_t width, std::int64_t channels) {
    cv::Mat img = cv::imread(file.string(), channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    if (img.empty()) throw Error(file.string() + ": not a readable image (corrupt or unsupported format)");
    if (channels == 3) cv::cvtColor(img, img, cv::COLOR_BGR2RGB);
    if (img.rows != height || img.cols != width)
        cv::resize(img, img, cv::Size(static_cast<int>(width), static_cast<int>(height)), 0, 0, cv::INTER_AREA);
    auto t = torch::from_blob(img.data, {height, width, channels}, torch::kUInt8).clone();
    return t.permute({2, 0, 1}).to(torch::kFloat32).div_(255.0);
}

Dataset read_split(const std::vector<std::pair<std::int64_t, fs::path>>& files, const std::string& name,
                   const std::vector<std::string>& classes, std::int64_t h, std::int64_t w, std::int64_t c) {
    Dataset d;
    d.name = name;
    d.classes = classes;
    std::vector<Tensor> images;
    std::vector<std::int64_t> labels;
    for (const auto& [label, file] : files) {
        images.push_back(read_image(file, h, w, c));
        labels.push_back(label);
    }
    d.images = images.empty() ? torch::zeros({0, c, h, w}) : torch::stack(images);
    d.labels = torch::tensor(labels, torch::kInt64);
    return d;
}

}  // namespace

DataSplit read_image_folder(const std::string& dir_name, std::int64_t height, std::int64_t width,
                            std::int64_t channels) {
    const fs::path dir(dir_name);
    if (!fs::is_directory(dir)) throw Error(dir_name + ": no such folder");
    fs::path train_dir = dir, test_dir;
    if (fs::is_directory(dir / "train")) {
        train_dir = dir / "train";
        if (fs::is_directory(dir / "test")) test_dir = dir / "test";
        else if (fs::is_directory(dir / "val")) test_dir = dir / "val";
    }
    const auto classes = class_dirs(train_dir);
    if (classes.size() < 2)
        throw Error(train_dir.string() + ": an image folder needs one sub-folder per class, found " +
                    std::to_string(classes.size()));
    std::vector<std::pair<std::int64_t, fs::path>> train, test;
    for (size_t c = 0; c < classes.size(); ++c) {
        const auto files = images_in(train_dir / classes[c]);
        if (files.empty()) throw Error((train_dir / classes[c]).string() + ": class folder holds no images");
        for (size_t i = 0; i < files.size(); ++i) {
            // Without a test folder, every tenth image is held out, so the split is the same every time.
            if (test_dir.empty() && files.size() >= 2 && i % 10 == 9) test.emplace_back(c, files[i]);
            else train.emplace_back(c, files[i]);
        }
        if (!test_dir.empty()) {
            if (!fs::is_directory(test_dir / classes[c]))
                throw Error(test_dir.string() + ": has no folder for class '" + classes[c] + "'");
            for (const auto& f : images_in(test_dir / classes[c])) test.emplace_back(c, f);
        }
    }
    if (!test_dir.empty())
        for (const auto& name : class_dirs(test_dir))
            if (std::find(classes.begin(), classes.end(), name) == classes.end())
                throw Error((test_dir / name).string() + ": test class '" + name + "' is not among the training classes");
    const std::string name = (dir.filename().empty() ? dir.parent_path() : dir).filename().string();
    DataSplit s;
    s.train = read_split(train, name, classes, height, width, channels);
    s.test = read_split(test, name, classes, height, width, channels);
    return s;
}
#else
DataSplit read_image_folder(const std::string& dir, std::int64_t, std::int64_t, std::int64_t) {
    throw Error(dir + ": reading image folders needs OpenCV, and this build was configured without it "
                      "(DISTILLERY_WITH_OPENCV=OFF)");
}
#endif

}  // namespace distillery
