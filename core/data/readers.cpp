// The file readers for IDX and CIFAR, dataset lookup, normalisation constants and subsets.
#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <fstream>

#include "common/error.h"
#include "common/rng.h"
#include "data/dataset.h"

namespace fs = std::filesystem;

namespace distillery {

std::int64_t Dataset::size() const { return images.defined() ? images.size(0) : 0; }
std::int64_t Dataset::channels() const { return images.size(1); }
std::int64_t Dataset::height() const { return images.size(2); }
std::int64_t Dataset::width() const { return images.size(3); }

namespace {

const std::vector<std::string> kFashionClasses = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                  "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
const std::vector<std::string> kDigitClasses = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
const std::vector<std::string> kCifar10Classes = {"airplane", "automobile", "bird",  "cat",  "deer",
                                                  "dog",      "frog",       "horse", "ship", "truck"};

std::uint32_t big_endian_u32(const unsigned char* p);

constexpr std::int64_t kMostGzipExpansion = 1032;  // deflate expands a byte to at most this many

// The size a file's own header declares, from the bytes read so far (nullopt: not known yet).
using DeclaredSize = std::function<std::optional<std::int64_t>(const std::vector<unsigned char>& so_far)>;

// The whole file, decompressed if it is gzip (zlib reads plain files through the same calls).
// A gzip file's inflated size is known only by inflating it, so reading stops as soon as the data
// outgrows what the format's header declares (`declared_size`, if the format has one) or `most`
// bytes (`most_reason` says why): a small file that inflates to gigabytes is refused after little
// more than its header promised, not after filling the memory.
std::vector<unsigned char> read_all(const std::string& path, const DeclaredSize& declared_size, std::int64_t most,
                                    const char* most_reason) {
    if (!fs::is_regular_file(path)) throw Error(path + ": no such file");
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw Error(path + ": cannot open");
    const auto refuse = [&](const std::string& why) {
        gzclose(f);
        throw Error(path + ": " + why);
    };
    std::vector<unsigned char> bytes;
    std::optional<std::int64_t> declared;
    std::string limit_reason = most_reason;
    unsigned char buf[1 << 16];
    for (;;) {
        const int n = gzread(f, buf, sizeof buf);
        if (n < 0) {
            int code = 0;
            refuse("corrupt compressed data (" + std::string(gzerror(f, &code)) + ")");
        }
        if (n == 0) break;
        bytes.insert(bytes.end(), buf, buf + n);
        if (declared_size && !declared && (declared = declared_size(bytes))) {
            const auto on_disk = static_cast<std::int64_t>(fs::file_size(path));
            if (*declared / kMostGzipExpansion > on_disk)
                refuse("truncated: its header declares " + std::to_string(*declared) + " bytes, more than a file of " +
                       std::to_string(on_disk) + " bytes can hold even compressed");
            if (*declared < most) {
                most = *declared;
                limit_reason = "its header declares";
            }
        }
        if (static_cast<std::int64_t>(bytes.size()) > most)
            refuse("unexpected bytes beyond the " + std::to_string(most) + " bytes " + limit_reason +
                   "; the file is damaged or not what it claims to be");
    }
    int code = 0;
    const char* msg = gzerror(f, &code);
    const std::string err = (code != Z_OK && code != Z_STREAM_END) ? msg : "";
    gzclose(f);
    // A gzip stream cut short reads as a clean end of file in some zlib versions, and as an
    // error in others; either way the size checks below catch the missing bytes.
    if (!err.empty() && code != Z_BUF_ERROR) throw Error(path + ": corrupt compressed data (" + err + ")");
    return bytes;
}

// More than any image data set read whole into memory: 2^40 bytes.
constexpr std::int64_t kMostIdxBytes = std::int64_t(1) << 40;

// An IDX file declares its size in its header: magic, then one 32-bit size per dimension.
std::optional<std::int64_t> idx_declared_size(const std::vector<unsigned char>& b) {
    if (b.size() < 4) return std::nullopt;
    const int dims = b[3];
    const std::size_t header = 4 + 4 * static_cast<std::size_t>(dims);
    if (b.size() < header) return std::nullopt;
    std::int64_t total = 1;
    for (int i = 0; i < dims; ++i)
        if (__builtin_mul_overflow(total, static_cast<std::int64_t>(big_endian_u32(&b[4 + 4 * i])), &total))
            return std::nullopt;  // idx_header refuses such a header; reading stops at the file's end
    return __builtin_add_overflow(total, static_cast<std::int64_t>(header), &total) ? std::nullopt
                                                                                      : std::optional<std::int64_t>(total);
}

std::uint32_t big_endian_u32(const unsigned char* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

// Returns the dimensions of an IDX file of unsigned bytes with `want_dims` dimensions.
std::vector<std::int64_t> idx_header(const std::vector<unsigned char>& b, const std::string& path, int want_dims) {
    if (b.size() < 4) throw Error(path + ": too short to be an IDX file (" + std::to_string(b.size()) + " bytes)");
    if (b[0] != 0 || b[1] != 0) throw Error(path + ": not an IDX file (bad magic number)");
    if (b[2] != 0x08) throw Error(path + ": IDX element type must be unsigned byte (0x08)");
    if (b[3] != want_dims)
        throw Error(path + ": expected an IDX file with " + std::to_string(want_dims) + " dimensions, found " +
                    std::to_string(b[3]));
    const size_t header = 4 + 4 * static_cast<size_t>(want_dims);
    if (b.size() < header) throw Error(path + ": truncated IDX header");
    std::vector<std::int64_t> dims;
    std::int64_t count = 1;
    const auto have = static_cast<std::int64_t>(b.size() - header);
    for (int i = 0; i < want_dims; ++i) {
        dims.push_back(big_endian_u32(&b[4 + 4 * i]));
        if (dims.back() == 0) throw Error(path + ": IDX dimension " + std::to_string(i) + " is zero");
        // Three dimensions of up to 2^32 - 1 overflow 64 bits, and a product that wrapped around
        // could match the file's size; no real file holds more than 2^62 bytes.
        if (__builtin_mul_overflow(count, dims.back(), &count) || count > (std::int64_t(1) << 62))
            throw Error(path + ": truncated: the header's dimensions promise more data than any file holds, the file has " +
                        std::to_string(have) + " bytes");
    }
    if (have < count)
        throw Error(path + ": truncated: the header promises " + std::to_string(count) + " bytes of data, the file has " +
                    std::to_string(have));
    if (have > count)
        throw Error(path + ": " + std::to_string(have - count) + " unexpected bytes after the data the header describes");
    return dims;
}

Tensor bytes_to_tensor(const unsigned char* data, std::vector<std::int64_t> shape) {
    return torch::from_blob(const_cast<unsigned char*>(data), shape, torch::kUInt8).clone();
}

void check_labels(const Tensor& labels, std::int64_t num_classes, const std::string& path) {
    if (labels.numel() == 0) return;
    const auto max = labels.max().item<std::int64_t>();
    if (max >= num_classes) {
        const auto at = labels.ge(num_classes).nonzero()[0][0].item<std::int64_t>();
        throw Error(path + ": label " + std::to_string(labels[at].item<std::int64_t>()) + " of record " +
                    std::to_string(at) + " is out of range (this format has " + std::to_string(num_classes) +
                    " classes)");
    }
}

constexpr std::int64_t kMostCifarRecords = 60000;

// Records of `header` label bytes followed by 3x32x32 pixels; `label_byte` picks the label.
Dataset read_cifar_file(const std::string& path, int header, int label_byte, std::int64_t num_classes,
                        const std::string& name, const std::vector<std::string>& classes) {
    const std::int64_t record = header + 3 * 32 * 32;
    // CIFAR's files declare no size; the largest (CIFAR-100's training file) holds 50,000 records.
    const auto bytes = read_all(path, nullptr, kMostCifarRecords * record, "that the largest CIFAR file holds");
    if (bytes.empty()) throw Error(path + ": empty file");
    if (static_cast<std::int64_t>(bytes.size()) % record != 0)
        throw Error(path + ": size " + std::to_string(bytes.size()) + " is not a whole number of " +
                    std::to_string(record) + "-byte records (truncated or not a " + name + " file)");
    const std::int64_t n = static_cast<std::int64_t>(bytes.size()) / record;
    auto all = bytes_to_tensor(bytes.data(), {n, record});
    Dataset d;
    d.name = name;
    d.labels = all.select(1, label_byte).to(torch::kInt64);
    check_labels(d.labels, num_classes, path);
    d.images = all.narrow(1, header, 3 * 32 * 32).reshape({n, 3, 32, 32}).to(torch::kFloat32).div_(255.0);
    d.classes = classes;
    return d;
}

Dataset concat(std::vector<Dataset> parts) {
    std::vector<Tensor> images, labels;
    for (auto& p : parts) {
        images.push_back(p.images);
        labels.push_back(p.labels);
    }
    Dataset d = parts.front();
    d.images = torch::cat(images);
    d.labels = torch::cat(labels);
    return d;
}

std::vector<std::string> read_names(const std::string& path, size_t want, const std::vector<std::string>& fallback) {
    std::ifstream f(path);
    std::vector<std::string> names;
    for (std::string line; f && std::getline(f, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (!line.empty()) names.push_back(line);
    }
    if (names.size() == want) return names;
    if (!fallback.empty()) return fallback;
    std::vector<std::string> numbered;
    for (size_t i = 0; i < want; ++i) numbered.push_back(std::to_string(i));
    return numbered;
}

std::string first_existing(const std::string& dir, const std::vector<std::string>& names) {
    for (const auto& n : names)
        if (fs::is_regular_file(fs::path(dir) / n)) return (fs::path(dir) / n).string();
    return "";
}

bool has_idx(const std::string& dir) {
    return !first_existing(dir, {"train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"}).empty();
}

DataSplit read_idx_dir(const std::string& dir, const std::string& name, const std::vector<std::string>& classes) {
    auto find = [&](const std::string& stem) {
        const std::string p = first_existing(dir, {stem + ".gz", stem});
        if (p.empty()) throw Error(dir + ": missing " + stem + "(.gz)");
        return p;
    };
    DataSplit s;
    s.train = read_idx(find("train-images-idx3-ubyte"), find("train-labels-idx1-ubyte"), name, classes);
    s.test = read_idx(find("t10k-images-idx3-ubyte"), find("t10k-labels-idx1-ubyte"), name, classes);
    if (s.train.height() != s.test.height() || s.train.width() != s.test.width())
        throw Error(dir + ": training and test images differ in size");
    return s;
}

DataSplit find_named_idx(const std::string& name, const std::vector<std::string>& classes) {
    std::vector<std::string> tried;
    if (const char* env = std::getenv("DISTILLERY_DATA")) {
        tried.push_back((fs::path(env) / name).string());
        tried.push_back(env);
    }
    tried.push_back("/usr/share/datasets/" + name);
    for (const auto& dir : tried)
        if (has_idx(dir)) return read_idx_dir(dir, name, classes);
    std::string list;
    for (const auto& t : tried) list += "\n  " + t;
    throw Error("cannot find " + name + "; looked in:" + list +
                (name == "fashion-mnist" ? "\n(on Debian: apt-get install dataset-fashion-mnist)" : ""));
}

}  // namespace

Dataset read_idx(const std::string& images_path, const std::string& labels_path, const std::string& name,
                 const std::vector<std::string>& classes) {
    const auto ib = read_all(images_path, idx_declared_size, kMostIdxBytes, "that any IDX data set holds");
    const auto idims = idx_header(ib, images_path, 3);
    const auto lb = read_all(labels_path, idx_declared_size, kMostIdxBytes, "that any IDX data set holds");
    const auto ldims = idx_header(lb, labels_path, 1);
    if (ldims[0] != idims[0])
        throw Error(labels_path + ": holds " + std::to_string(ldims[0]) + " labels but " + images_path + " holds " +
                    std::to_string(idims[0]) + " images");
    Dataset d;
    d.name = name;
    d.classes = classes.empty() ? kDigitClasses : classes;
    d.images = bytes_to_tensor(ib.data() + 16, {idims[0], 1, idims[1], idims[2]}).to(torch::kFloat32).div_(255.0);
    d.labels = bytes_to_tensor(lb.data() + 8, {ldims[0]}).to(torch::kInt64);
    check_labels(d.labels, d.num_classes(), labels_path);
    return d;
}

DataSplit read_cifar10(const std::string& dir) {
    const auto classes = read_names((fs::path(dir) / "batches.meta.txt").string(), 10, kCifar10Classes);
    std::vector<Dataset> parts;
    for (int i = 1; i <= 5; ++i)
        parts.push_back(read_cifar_file((fs::path(dir) / ("data_batch_" + std::to_string(i) + ".bin")).string(), 1, 0,
                                        10, "cifar10", classes));
    DataSplit s;
    s.train = concat(parts);
    s.test = read_cifar_file((fs::path(dir) / "test_batch.bin").string(), 1, 0, 10, "cifar10", classes);
    return s;
}

DataSplit read_cifar100(const std::string& dir) {
    const auto classes = read_names((fs::path(dir) / "fine_label_names.txt").string(), 100, {});
    DataSplit s;
    s.train = read_cifar_file((fs::path(dir) / "train.bin").string(), 2, 1, 100, "cifar100", classes);
    s.test = read_cifar_file((fs::path(dir) / "test.bin").string(), 2, 1, 100, "cifar100", classes);
    return s;
}

DataSplit load_dataset(const std::string& spec) {
    if (spec == "fashion-mnist" || spec == "fashion_mnist" || spec == "FashionMNIST")
        return find_named_idx("fashion-mnist", kFashionClasses);
    if (spec == "mnist" || spec == "MNIST") return find_named_idx("mnist", kDigitClasses);
    if (spec == "cifar10" || spec == "cifar100") {
        // No package ships CIFAR; look where a user would have unpacked it.
        const bool ten = spec == "cifar10";
        const char* env = std::getenv("DISTILLERY_DATA");
        const std::string base = env ? env : "data";
        for (const char* sub : {ten ? "cifar-10-batches-bin" : "cifar-100-binary", ten ? "cifar10" : "cifar100"}) {
            const auto dir = (fs::path(base) / sub).string();
            if (fs::is_directory(dir)) return ten ? read_cifar10(dir) : read_cifar100(dir);
        }
        throw Error("cannot find " + spec + " under '" + base + "'; download the binary version and pass " + spec +
                    ":DIR, or set DISTILLERY_DATA to the folder that holds it");
    }
    const auto colon = spec.find(':');
    if (colon != std::string::npos) {
        const std::string kind = spec.substr(0, colon), rest = spec.substr(colon + 1);
        if (kind == "cifar10") return read_cifar10(rest);
        if (kind == "cifar100") return read_cifar100(rest);
        if (kind == "idx") return read_idx_dir(rest, fs::path(rest).filename().string(), {});
        if (kind == "folder") {
            std::int64_t h = 32, w = 32, c = 3;
            std::string dir = rest;
            const auto last = rest.rfind(':');
            if (last != std::string::npos) {
                dir = rest.substr(0, last);
                if (std::sscanf(rest.c_str() + last + 1, "%ldx%ldx%ld", &h, &w, &c) != 3 || h <= 0 || w <= 0 ||
                    (c != 1 && c != 3))
                    throw Error("folder size must be HxWxC with C 1 or 3, e.g. folder:" + dir + ":32x32x3");
            }
            return read_image_folder(dir, h, w, c);
        }
        throw Error("unknown data set kind '" + kind + "' in '" + spec + "' (use cifar10:, cifar100:, idx: or folder:)");
    }
    if (!fs::is_directory(spec))
        throw Error("unknown data set '" + spec + "': not a known name (fashion-mnist, mnist) and not a folder");
    if (has_idx(spec)) {
        const bool fashion = spec.find("fashion") != std::string::npos;
        return read_idx_dir(spec, fashion ? "fashion-mnist" : fs::path(spec).filename().string(),
                            fashion ? kFashionClasses : kDigitClasses);
    }
    if (fs::is_regular_file(fs::path(spec) / "data_batch_1.bin")) return read_cifar10(spec);
    if (fs::is_regular_file(fs::path(spec) / "train.bin")) return read_cifar100(spec);
    return read_image_folder(spec, 32, 32, 3);
}

Normalization normalization_for(const Dataset& data) {
    if (data.name == "fashion-mnist") return {{0.2861}, {0.3530}};
    if (data.name == "mnist") return {{0.1307}, {0.3081}};
    // CIFAR-100 uses the CIFAR-10 constants in all three reference implementations (spec 1.1).
    if (data.name == "cifar10" || data.name == "cifar100")
        return {{0.4914, 0.4822, 0.4465}, {0.2023, 0.1994, 0.2010}};
    // Any other data set: the training set's own per-channel statistics.
    Normalization n;
    const auto mean = data.images.mean({0, 2, 3});
    const auto std = data.images.std({0, 2, 3});
    for (std::int64_t c = 0; c < data.channels(); ++c) {
        n.mean.push_back(mean[c].item<double>());
        n.std.push_back(std::max(std[c].item<double>(), 1e-6));
    }
    return n;
}

Tensor balanced_indices(const Tensor& labels, const std::vector<std::string>& classes, std::int64_t per_class,
                        std::uint64_t seed, const std::string& what) {
    if (per_class <= 0) throw Error(what + ": images per class must be positive");
    Rng rng(seed);
    const auto cpu = labels.to(torch::kCPU);
    std::vector<Tensor> picks;
    for (std::int64_t c = 0; c < static_cast<std::int64_t>(classes.size()); ++c) {
        const auto idx = cpu.eq(c).nonzero().flatten();
        if (idx.numel() < per_class)
            throw Error(what + ": class '" + classes[c] + "' has " + std::to_string(idx.numel()) +
                        " images, fewer than the " + std::to_string(per_class) + " asked for");
        const auto perm = rng.permutation(idx.numel());
        const std::vector<std::int64_t> first(perm.begin(), perm.begin() + per_class);
        picks.push_back(idx.index_select(0, torch::tensor(first, torch::kInt64)));
    }
    return torch::cat(picks);
}

Dataset balanced_subset(const Dataset& data, std::int64_t per_class, std::uint64_t seed) {
    if (per_class <= 0) return data;
    const auto chosen = balanced_indices(data.labels, data.classes, per_class, seed, data.name);
    Dataset d = data;
    d.images = data.images.index_select(0, chosen);
    d.labels = data.labels.index_select(0, chosen);
    return d;
}

}  // namespace distillery
