#include "distill/synthetic_set.h"

#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include "common/numbers.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/header_file.h"

namespace distillery {
namespace {

constexpr char kMagic[8] = {'D', 'S', 'T', 'S', 'Y', 'N', '0', '1'};

std::int64_t count_of(const std::map<std::string, std::string>& h, const std::string& key, const std::string& path) {
    const auto it = h.find(key);
    const auto v = it == h.end() ? std::nullopt : parse_int(it->second);
    if (!v || *v <= 0 || *v > (1LL << 32)) throw Error(path + ": synthetic-set header has no valid '" + key + "'");
    return *v;
}

}  // namespace

void check_synthetic_labels(const at::Tensor& labels, std::int64_t classes, const std::string& where) {
    if (labels.numel() == 0) return;
    if (labels.dim() == 1) {
        const auto low = labels.min().item<std::int64_t>(), high = labels.max().item<std::int64_t>();
        if (low < 0) throw Error(where + ": a label is a negative class index (" + std::to_string(low) + ")");
        if (classes > 0 && high >= classes)
            throw Error(where + ": label " + std::to_string(high) + " is out of range: the data set has " +
                        std::to_string(classes) + " classes (0.." + std::to_string(classes - 1) + ")");
        return;
    }
    if (classes > 0 && labels.size(1) != classes)
        throw Error(where + ": the soft labels are over " + std::to_string(labels.size(1)) + " classes; the data set has " +
                    std::to_string(classes));
    if (!torch::isfinite(labels).all().item<bool>()) throw Error(where + ": soft labels contain NaN or Inf");
    const auto low = labels.min().item<double>();
    const auto sums = labels.to(torch::kFloat64).sum(1);
    const auto worst = (sums - 1.0).abs().argmax().item<std::int64_t>();
    const double sum = sums[worst].item<double>();
    if (low < 0 || std::abs(sum - 1.0) > 1e-3)
        throw Error(where + ": soft labels must be probabilities, but " +
                    (low < 0 ? "one is negative (" + format_double(low) + ")"
                             : "row " + std::to_string(worst) + " sums to " + format_double(sum)) +
                    " (apply torch.softmax(labels, 1) to logits before saving)");
}

void save_synthetic_set(const std::string& path, const SyntheticSet& set) {
    if (set.images.dim() != 4) throw Error(path + ": images must be [N, C, H, W]");
    const bool soft = set.labels.dim() == 2;
    if (set.labels.size(0) != set.images.size(0)) throw Error(path + ": images and labels differ in number");
    auto header = set.info;
    header["n"] = std::to_string(set.images.size(0));
    header["c"] = std::to_string(set.images.size(1));
    header["h"] = std::to_string(set.images.size(2));
    header["w"] = std::to_string(set.images.size(3));
    header["labels"] = soft ? "soft" : "hard";
    if (soft) header["classes"] = std::to_string(set.labels.size(1));
    std::ostringstream lr;
    lr.precision(17);
    lr << set.lr;
    header["lr"] = lr.str();
    const auto images = set.images.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const auto labels = set.labels.detach().to(torch::kCPU, soft ? torch::kFloat32 : torch::kInt64).contiguous();
    write_file_atomically(path, [&](std::ostream& out) {
        write_text_header(out, kMagic, header);
        out.write(static_cast<const char*>(images.data_ptr()), static_cast<std::streamsize>(images.nbytes()));
        out.write(static_cast<const char*>(labels.data_ptr()), static_cast<std::streamsize>(labels.nbytes()));
    });
}

SyntheticSet load_synthetic_set(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open");
    SyntheticSet set;
    std::int64_t header_bytes = 0;
    set.info = read_text_header(in, kMagic, path, "synthetic-set", header_bytes);
    const auto n = count_of(set.info, "n", path), c = count_of(set.info, "c", path),
               h = count_of(set.info, "h", path), w = count_of(set.info, "w", path);
    const bool soft = set.info["labels"] == "soft";
    if (!soft && set.info["labels"] != "hard") throw Error(path + ": labels must be 'hard' or 'soft'");
    const auto k = soft ? count_of(set.info, "classes", path) : 0;
    const auto have = static_cast<std::int64_t>(std::filesystem::file_size(path));
    // Each count may be up to 2^32, so the sizes are multiplied with overflow checks: a product
    // that wrapped around could match the file's size and reach the allocation below.
    auto product = [](std::initializer_list<std::int64_t> factors, std::int64_t& out) {
        out = 1;
        for (const auto f : factors)
            if (__builtin_mul_overflow(out, f, &out)) return false;
        return true;
    };
    std::int64_t image_bytes = 0, label_bytes = 0, want = header_bytes;
    if (!product({n, c, h, w, 4}, image_bytes) || !(soft ? product({n, k, 4}, label_bytes) : product({n, 8}, label_bytes)) ||
        __builtin_add_overflow(want, image_bytes, &want) || __builtin_add_overflow(want, label_bytes, &want))
        throw Error(path + ": truncated: the header's sizes promise more data than any file holds; found " +
                    std::to_string(have) + " bytes");
    if (have != want)
        throw Error(path + ": " + (have < want ? "truncated" : "has trailing bytes") + ": expected " +
                    std::to_string(want) + " bytes, found " + std::to_string(have));
    set.images = torch::empty({n, c, h, w}, torch::kFloat32);
    set.labels = soft ? torch::empty({n, k}, torch::kFloat32) : torch::empty({n}, torch::kInt64);
    in.read(static_cast<char*>(set.images.data_ptr()), image_bytes);
    in.read(static_cast<char*>(set.labels.data_ptr()), label_bytes);
    if (!in) throw Error(path + ": cannot read the data");
    const auto lr = parse_double(set.info["lr"]);
    if (!lr || !std::isfinite(*lr)) throw Error(path + ": synthetic-set header has no valid 'lr'");
    set.lr = *lr;
    if (!torch::isfinite(set.images).all().item<bool>()) throw Error(path + ": images contain NaN or Inf");
    check_synthetic_labels(set.labels, set.info.count("classes") ? count_of(set.info, "classes", path) : 0, path);
    return set;
}

}  // namespace distillery
