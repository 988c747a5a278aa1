// distillery-cli export-pt, import-experts and import-synthetic: the files Distillery shares with
// the Python reference implementations (MTT, TESLA, DATM).
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "common/error.h"
#include "data/dataset.h"
#include "distill/synthetic_set.h"
#include "expert/expert_trainer.h"
#include "expert/trajectory.h"
#include "interop/pytorch_files.h"
#include "nn/convnet.h"

namespace fs = std::filesystem;

namespace distillery::cli {
namespace {

// As expert generation writes numbers into trajectory headers, so that a folder of imported
// experts passes the same compatibility check when `experts` later adds to it.
std::string header_number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

std::string transform_of(const Settings& s) { return s.flag("zca", false) ? "zca" : "normalize"; }

std::string shape_of(const at::Tensor& t) {
    std::string text;
    for (auto d : t.sizes()) text += (text.empty() ? "" : "x") + std::to_string(d);
    return text;
}

// The data set the settings name, read raw (no normalisation or ZCA): the files Python made
// must fit its image size and classes.
DataSplit split_for_shape(const Settings& s, const Options& o) {
    const auto spec = s.text("dataset", "fashion-mnist");
    if (!o.quiet) std::cerr << "reading " << spec << " for its image size and classes ...\n";
    return load_dataset(spec);
}

}  // namespace

int run_export_pt(const Options& o) {
    if (o.synthetic.empty()) throw Error("export-pt needs --synthetic FILE (a .dsyn written by distill)");
    if (o.out_dir.empty()) throw Error("export-pt needs --out DIR, the folder for the .pt files");
    const auto set = load_synthetic_set(o.synthetic);
    const auto paths = export_synthetic_set_pt(set, o.out_dir);
    std::cout << "export-pt: " << paths.images << " (float32 " << shape_of(set.images) << ")\n"
              << "export-pt: " << paths.labels << " (" << (set.labels.dim() == 2 ? "float32 " : "int64 ")
              << shape_of(set.labels) << ")\n"
              << "export-pt: " << paths.lr << " (lr " << set.lr << ")\n";
    return 0;
}

int run_import_experts(const Settings& s, const Options& o) {
    if (o.positional.empty())
        throw Error("import-experts needs one or more buffer files, e.g. import-experts replay_buffer_0.pt");
    // The network's input and classes come from the data set the settings name; its width and
    // depth from net_width and net_depth. Only the raw files are read: no normalisation or ZCA.
    const auto split = split_for_shape(s, o);
    const auto cfg = ExpertConfig::from_settings(s, split.train.name);
    ConvNetSpec net;
    net.channels = split.train.channels();
    net.height = split.train.height();
    net.width = split.train.width();
    net.classes = split.train.num_classes();
    net.net_width = cfg.net_width;
    net.depth = cfg.net_depth;
    std::map<std::string, std::string> header = {
        {"dataset", split.train.name},
        {"transform", transform_of(s)},
        {"batch_train", std::to_string(cfg.batch)},
        {"lr_teacher", header_number(cfg.lr)},
        {"mom", header_number(cfg.momentum)},
        {"l2", header_number(cfg.weight_decay)},
        {"dsa_strategy", cfg.dsa_strategy},
        {"seed", std::to_string(cfg.seed)},
        // DATM's buffers are GSAM experts: the settings (a datm-* preset) say so, and the folder
        // keeps them apart from SGD ones.
        {"expert_optimizer", cfg.optimizer},
        {"expert_lr_schedule", cfg.lr_schedule}};
    if (cfg.uses_gsam()) {
        header["gsam_rho"] = header_number(cfg.gsam.rho);
        header["gsam_alpha"] = header_number(cfg.gsam.alpha);
        header["gsam_adaptive"] = cfg.gsam.adaptive ? "true" : "false";
    }
    const std::string dir = experts_dir_for(s, o);
    std::cout << "import-experts: " << net.describe() << ", " << transform_of(s) << " data, into " << dir << "\n";
    for (const auto& file : o.positional) {
        const auto imported = import_replay_buffer(file, net, header, dir);
        const auto first = TrajectoryFile::open(imported.written.front());
        const auto epochs = first.checkpoints() - 1;
        std::cout << "import-experts: " << file << ": " << imported.written.size() << " experts of " << epochs
                  << " epochs as " << fs::path(imported.written.front()).filename().string() << " .. "
                  << fs::path(imported.written.back()).filename().string() << "\n";
        if (epochs != cfg.train_epochs)
            std::cerr << "import-experts: note: these experts have " << epochs << " epochs, the settings say train_epochs = "
                      << cfg.train_epochs << "; use --set train_epochs=" << epochs
                      << " with distill so that its expert folder and checks agree\n";
    }
    std::cout << "import-experts: " << ExpertStore(dir).count() << " experts in " << dir << "\n";
    return 0;
}

int run_import_synthetic(const Settings& s, const Options& o) {
    std::string images = o.images, labels = o.labels, lr = o.lr_file;
    if (o.positional.size() > 1) throw Error("import-synthetic takes at most one folder");
    if (!o.positional.empty()) {
        const fs::path dir = o.positional.front();
        if (images.empty()) images = (dir / kPtImagesFile).string();
        if (labels.empty()) labels = (dir / kPtLabelsFile).string();
        if (lr.empty() && fs::exists(dir / kPtLrFile)) lr = (dir / kPtLrFile).string();
    }
    if (images.empty() || labels.empty())
        throw Error("import-synthetic needs --images FILE and --labels FILE (or a folder holding " +
                    std::string(kPtImagesFile) + " and " + kPtLabelsFile + ")");
    if (o.out_dir.empty()) throw Error("import-synthetic needs --out FILE, the .dsyn to write");
    const double default_lr = s.number("lr_teacher", 0.01);
    auto set = read_synthetic_set_pt(images, labels, lr, default_lr);
    // The set must fit the data set it claims to be of: its image size and its classes.
    const auto split = split_for_shape(s, o);
    const auto& data = split.train;
    if (set.images.size(1) != data.channels() || set.images.size(2) != data.height() || set.images.size(3) != data.width())
        throw Error(images + ": the images are " + shape_of(set.images[0]) + ", but " + data.name + "'s are " +
                    std::to_string(data.channels()) + "x" + std::to_string(data.height()) + "x" +
                    std::to_string(data.width()) + " (set --data to the data set they were made from)");
    check_synthetic_labels(set.labels, data.num_classes(), labels + " (for " + data.name + ")");
    set.info["classes"] = std::to_string(data.num_classes());
    // `eval --synthetic` compares the transform with the data's, so the set records what the
    // settings say the images were made in.
    set.info["dataset"] = data.name;
    set.info["transform"] = transform_of(s);
    set.info["method"] = "imported";
    const auto parent = fs::path(o.out_dir).parent_path();
    std::error_code ec;
    if (!parent.empty()) fs::create_directories(parent, ec);
    save_synthetic_set(o.out_dir, set);
    std::cout << "import-synthetic: " << set.images.size(0) << " images of " << shape_of(set.images[0]) << ", "
              << (set.labels.dim() == 2 ? "soft labels over " + std::to_string(set.labels.size(1)) + " classes"
                                        : std::string("hard labels"))
              << ", lr " << set.lr << (lr.empty() ? " (lr_teacher; no lr file)" : "") << ", " << transform_of(s)
              << " data -> " << o.out_dir << "\n";
    return 0;
}

}  // namespace distillery::cli
