#include "interop/pytorch_files.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "common/atomic_file.h"
#include "common/error.h"
#include "distill/synthetic_set.h"
#include "expert/expert_trainer.h"
#include "expert/trajectory.h"
#include "interop/pt_archive.h"
#include "nn/convnet.h"

namespace fs = std::filesystem;

namespace distillery {
namespace {

using pt::Object;

const char* kBufferShape =
    "MTT's replay buffer is a list of experts, each a list of epochs, each a list of parameter tensors";

void save_tensor_pt(const std::string& path, const at::Tensor& t) {
    // pickle_save writes the zip layout of Python's torch.save (data.pkl plus one record per
    // storage), which torch.load reads, also with weights_only=True.
    const std::vector<char> bytes = torch::pickle_save(t);
    write_file_atomically(path, [&](std::ostream& out) {
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    });
}

// A detached CPU copy that owns exactly its elements: pickle_save writes a tensor's whole
// storage, which for a view could be far larger than the tensor.
at::Tensor owned(const at::Tensor& t, at::ScalarType type) {
    return t.detach().to(torch::kCPU, type).clone(at::MemoryFormat::Contiguous);
}

// `what` is a plain C string: a std::string made for the call would make GCC 14 warn that the
// returned reference (which lives in `f`) may dangle.
const Object& root_tensor(const pt::PtFile& f, const char* what) {
    const Object& r = f.root();
    if (r.kind != Object::Kind::Tensor)
        throw Error(f.path() + ": holds a " + kind_name(r.kind) + ", not a tensor of " + what);
    return r;
}

bool is_integral(pt::Dtype d) { return !pt::is_floating(d) && d != pt::Dtype::Bool; }

double read_lr(const std::string& path) {
    const auto f = pt::PtFile::open(path);
    const Object& r = f.root();
    double lr = 0;
    if (r.kind == Object::Kind::Float) {
        lr = r.number;  // torch.save(syn_lr.item(), ...)
    } else if (r.kind == Object::Kind::Int) {
        lr = static_cast<double>(r.integer);
    } else if (r.kind == Object::Kind::Tensor) {
        std::int64_t numel = 1;
        for (auto s : r.sizes) numel *= s;
        if (numel != 1 || f.dtype_of(r) == pt::Dtype::Bool)
            throw Error(path + ": the lr must be a number or a one-element tensor, this is a " +
                        pt::dtype_name(f.dtype_of(r)) + " tensor of shape " + pt::shape_text(r.sizes));
        lr = f.tensor(r).to(torch::kFloat64).reshape({1})[0].item<double>();
    } else {
        throw Error(path + ": holds a " + std::string(kind_name(r.kind)) + ", not the learned lr (a number or a tensor)");
    }
    if (!std::isfinite(lr)) throw Error(path + ": the lr is not finite");
    return lr;
}

}  // namespace

PtExportPaths export_synthetic_set_pt(const SyntheticSet& set, const std::string& dir) {
    if (!set.images.defined() || set.images.dim() != 4) throw Error(dir + ": the synthetic images must be [N, C, H, W]");
    if (!set.labels.defined() || set.labels.dim() < 1 || set.labels.dim() > 2 || set.labels.size(0) != set.images.size(0))
        throw Error(dir + ": the synthetic labels must be [N] or [N, K] with N the number of images");
    if (!std::isfinite(set.lr)) throw Error(dir + ": the learned lr is not finite");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!fs::is_directory(dir)) throw Error(dir + ": cannot create the folder (" + ec.message() + ")");
    const bool soft = set.labels.dim() == 2;
    PtExportPaths paths{(fs::path(dir) / kPtImagesFile).string(), (fs::path(dir) / kPtLabelsFile).string(),
                        (fs::path(dir) / kPtLrFile).string()};
    save_tensor_pt(paths.images, owned(set.images, torch::kFloat32));
    save_tensor_pt(paths.labels, owned(set.labels, soft ? torch::kFloat32 : torch::kInt64));
    save_tensor_pt(paths.lr, torch::scalar_tensor(set.lr, torch::kFloat64));
    return paths;
}

SyntheticSet read_synthetic_set_pt(const std::string& images_path, const std::string& labels_path,
                                   const std::string& lr_path, double default_lr) {
    SyntheticSet set;
    {
        const auto f = pt::PtFile::open(images_path);
        const Object& t = root_tensor(f, "images");
        if (!pt::is_floating(f.dtype_of(t)))
            throw Error(images_path + ": the images are a " + pt::dtype_name(f.dtype_of(t)) +
                        " tensor; they must be floating point");
        if (t.sizes.size() != 4) throw Error(images_path + ": the images must be [N, C, H, W], not " + pt::shape_text(t.sizes));
        for (auto s : t.sizes)
            if (s == 0) throw Error(images_path + ": the images tensor " + pt::shape_text(t.sizes) + " is empty");
        set.images = f.tensor(t).to(torch::kFloat32);
        if (!torch::isfinite(set.images).all().item<bool>()) throw Error(images_path + ": the images contain NaN or Inf");
    }
    const auto n = set.images.size(0);
    {
        const auto f = pt::PtFile::open(labels_path);
        const Object& t = root_tensor(f, "labels");
        const auto type = f.dtype_of(t);
        if (t.sizes.empty() || t.sizes[0] != n)
            throw Error(labels_path + ": holds labels of shape " + pt::shape_text(t.sizes) + " for " + std::to_string(n) +
                        " images");
        if (is_integral(type) && t.sizes.size() == 1) {
            set.labels = f.tensor(t).to(torch::kInt64);
            check_synthetic_labels(set.labels, 0, labels_path);
        } else if (pt::is_floating(type) && t.sizes.size() == 2 && t.sizes[1] > 0) {
            set.labels = f.tensor(t).to(torch::kFloat32);
            check_synthetic_labels(set.labels, 0, labels_path);
        } else if (pt::is_floating(type) && t.sizes.size() == 1) {
            throw Error(labels_path + ": the labels are a 1-D " + std::string(pt::dtype_name(type)) +
                        " tensor; class indices must be integers (labels.long())");
        } else {
            throw Error(labels_path + ": labels must be int64 class indices [N] or float probabilities [N, K], not a " +
                        pt::dtype_name(type) + " tensor of shape " + pt::shape_text(t.sizes));
        }
    }
    set.lr = lr_path.empty() ? default_lr : read_lr(lr_path);
    set.info["source"] = fs::path(images_path).filename().string();
    return set;
}

ReplayBufferImport import_replay_buffer(const std::string& buffer_path, const ConvNetSpec& net_spec,
                                        const std::map<std::string, std::string>& header,
                                        const std::string& experts_dir) {
    const ConvNet net(net_spec);
    const auto& layout = net.layout();
    const std::string net_text = net_spec.describe();
    const auto f = pt::PtFile::open(buffer_path);
    const Object& root = f.root();
    if (root.kind != Object::Kind::List)
        throw Error(buffer_path + ": holds a " + kind_name(root.kind) + ", not a list of experts (" + kBufferShape + ")");
    if (root.items.empty()) throw Error(buffer_path + ": the buffer holds no experts (an empty list)");

    // Check the whole structure first, so that a bad expert stops the import before any is written.
    for (size_t e = 0; e < root.items.size(); ++e) {
        const std::string expert = buffer_path + ": expert " + std::to_string(e);
        const Object& epochs = f.object(root.items[e]);
        if (epochs.kind != Object::Kind::List)
            throw Error(expert + " is a " + kind_name(epochs.kind) + ", not a list of epochs (" + kBufferShape + ")");
        if (epochs.items.size() < 2)
            throw Error(expert + " has " + std::to_string(epochs.items.size()) +
                        " checkpoint(s); a trajectory needs the initialisation and at least one epoch");
        for (size_t ep = 0; ep < epochs.items.size(); ++ep) {
            const std::string epoch = expert + ", epoch " + std::to_string(ep);
            const Object& params = f.object(epochs.items[ep]);
            if (params.kind != Object::Kind::List)
                throw Error(epoch + " is a " + kind_name(params.kind) + ", not a list of parameter tensors (" +
                            kBufferShape + ")");
            if (params.items.size() != layout.size())
                throw Error(epoch + " has " + std::to_string(params.items.size()) + " parameter tensors; " + net_text +
                            " has " + std::to_string(layout.size()) + " (" + layout.front().name + " ... " +
                            layout.back().name + ")");
            for (size_t p = 0; p < layout.size(); ++p) {
                const std::string param =
                    epoch + ", parameter " + std::to_string(p) + " (" + layout[p].name + ")";
                const Object& t = f.object(params.items[p]);
                if (t.kind != Object::Kind::Tensor) throw Error(param + " is a " + kind_name(t.kind) + ", not a tensor");
                if (!pt::is_floating(f.dtype_of(t)))
                    throw Error(param + " is a " + pt::dtype_name(f.dtype_of(t)) + " tensor, not floating point");
                if (t.sizes != layout[p].shape)
                    throw Error(param + " has shape " + pt::shape_text(t.sizes) + ", but " + net_text + " needs " +
                                pt::shape_text(layout[p].shape) +
                                " (the settings' data set, net_width and net_depth must describe the buffer's network)");
            }
        }
    }

    std::error_code ec;
    fs::create_directories(experts_dir, ec);
    if (!fs::is_directory(experts_dir))
        throw Error(experts_dir + ": cannot create the experts folder (" + ec.message() + ")");
    const ExpertStore store(experts_dir);
    const auto present = store.complete();
    if (!present.empty()) {
        const auto first = store.open(present.front());
        for (const char* key : {"net", "dataset", "transform", "expert_optimizer", "expert_lr_schedule"}) {
            const auto it = header.find(key);
            const std::string want = std::string(key) == "net" ? net_text
                                     : it != header.end()        ? it->second
                                                                 : expert_default(key);
            const std::string have = expert_value(first, key);
            if (have != want)
                throw Error(first.path() + ": this folder holds experts with " + key + " = '" + have +
                            "', the imported ones would have '" + want + "'; import into another folder (--experts)");
        }
    }
    ReplayBufferImport result;
    result.first_index = static_cast<std::int64_t>(present.size());
    for (size_t e = 0; e < root.items.size(); ++e)
        if (fs::exists(store.path_of(result.first_index + static_cast<std::int64_t>(e))))
            throw Error(store.path_of(result.first_index + static_cast<std::int64_t>(e)) +
                        ": already exists after a gap in the numbering; import into another folder (--experts)");

    try {
        for (size_t e = 0; e < root.items.size(); ++e) {
            const Object& epochs = f.object(root.items[e]);
            std::vector<at::Tensor> checkpoints;
            for (size_t ep = 0; ep < epochs.items.size(); ++ep) {
                const Object& params = f.object(epochs.items[ep]);
                std::vector<at::Tensor> flat;
                for (auto id : params.items) flat.push_back(f.tensor(f.object(id)).to(torch::kFloat32).reshape({-1}));
                checkpoints.push_back(torch::cat(flat));
                if (!torch::isfinite(checkpoints.back()).all().item<bool>())
                    throw Error(buffer_path + ": expert " + std::to_string(e) + ", epoch " + std::to_string(ep) +
                                " holds NaN or Inf");
            }
            const auto index = result.first_index + static_cast<std::int64_t>(e);
            auto h = header;
            h["format"] = "distillery-trajectory 1";
            h["net"] = net_text;
            h["train_epochs"] = std::to_string(checkpoints.size() - 1);
            h["expert"] = std::to_string(index);
            h["source"] = fs::path(buffer_path).filename().string() + " expert " + std::to_string(e);
            TrajectoryFile::write(store.path_of(index), h, checkpoints);
            result.written.push_back(store.path_of(index));
        }
    } catch (...) {
        for (const auto& w : result.written) fs::remove(w, ec);
        throw;
    }
    return result;
}

}  // namespace distillery
