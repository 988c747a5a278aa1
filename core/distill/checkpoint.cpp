#include "distill/checkpoint.h"

#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/numbers.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/header_file.h"
#include "config/settings.h"
#include "distill/run.h"

namespace distillery {
namespace {

// Scalars and tensor data are stored little-endian, as the machine holds them.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "checkpoints are written on little-endian machines");

constexpr char kMagic[8] = {'D', 'S', 'T', 'C', 'K', 'P', 'T', '1'};
constexpr const char* kFormat = "distillery-checkpoint 1";
constexpr std::int64_t kMaxTensorDims = 8;

// Tensor element types in the file; 0 marks an absent (undefined) tensor.
enum TensorKind : std::uint8_t { kAbsent = 0, kFloat32 = 1, kFloat64 = 2, kInt64 = 3 };

std::uint32_t crc32_of(const char* data, std::size_t size, std::uint32_t crc = 0) {
    // zlib's crc32 takes at most uInt bytes at a time.
    while (size > 0) {
        const auto chunk = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
        crc = static_cast<std::uint32_t>(::crc32(crc, reinterpret_cast<const Bytef*>(data), chunk));
        data += chunk;
        size -= chunk;
    }
    return crc;
}

// The payload, field by field (docs/file-formats.md lists them in order). It goes straight to
// the file, its CRC computed on the way, rather than into a buffer first: a buffer as large as
// the file, allocated anew at every checkpoint and growing with the run's history, left the heap
// larger after each one (the soak benchmark's resident memory crept up). Without a stream it only
// counts the bytes, which the header states before the payload.
class PayloadWriter {
public:
    PayloadWriter() = default;
    PayloadWriter(std::ostream& out, std::uint32_t crc) : out_(&out), crc_(crc) {}

    void u8(std::uint8_t v) { raw(&v, 1); }
    void u32(std::uint32_t v) { raw(&v, 4); }
    void i64(std::int64_t v) { raw(&v, 8); }
    void f64(double v) { raw(&v, 8); }
    void text(const std::string& s) {
        count(s.size());
        raw(s.data(), s.size());
    }
    void count(std::size_t n) {
        if (n > UINT32_MAX) throw Error("checkpoint: a list of " + std::to_string(n) + " entries is too long");
        u32(static_cast<std::uint32_t>(n));
    }
    void tensor(const at::Tensor& t) {
        if (!t.defined()) {
            u8(kAbsent);
            return;
        }
        const auto type = t.scalar_type();
        if (type == torch::kFloat32) u8(kFloat32);
        else if (type == torch::kFloat64) u8(kFloat64);
        else if (type == torch::kInt64) u8(kInt64);
        else throw Error("checkpoint: cannot store a tensor of type " + std::string(c10::toString(type)));
        u8(static_cast<std::uint8_t>(t.dim()));
        for (const auto d : t.sizes()) i64(d);
        if (!out_) {  // counting: no copy off the device, no contiguous copy
            size_ += static_cast<std::uint64_t>(t.numel()) * t.element_size();
            return;
        }
        const auto c = t.detach().to(torch::kCPU).contiguous();
        raw(c.data_ptr(), c.nbytes());
    }
    std::uint64_t size() const { return size_; }
    std::uint32_t crc() const { return crc_; }

private:
    void raw(const void* p, std::size_t n) {
        size_ += n;
        if (!out_) return;
        crc_ = crc32_of(static_cast<const char*>(p), n, crc_);
        out_->write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
    }
    std::ostream* out_ = nullptr;
    std::uint64_t size_ = 0;
    std::uint32_t crc_ = 0;
};

// Reads the payload back. Every read is checked against what is left, and every count and shape
// against the bytes that could hold it, before anything is allocated: the input is untrusted.
class PayloadReader {
public:
    PayloadReader(const char* data, std::size_t size, std::string path) : p_(data), left_(size), path_(std::move(path)) {}

    std::uint8_t u8(const char* what) { return static_cast<std::uint8_t>(*take(1, what)); }
    std::uint32_t u32(const char* what) { return scalar<std::uint32_t>(what); }
    std::int64_t i64(const char* what) { return scalar<std::int64_t>(what); }
    double f64(const char* what) { return scalar<double>(what); }
    std::string text(const char* what) {
        const auto n = u32(what);
        return std::string(take(n, what), n);
    }
    bool flag(const char* what) {
        const auto v = u8(what);
        if (v > 1) fail(what, "is neither 0 nor 1");
        return v == 1;
    }
    // A list length; each entry takes at least `min_entry_bytes`, so the length is bounded by what is left.
    std::size_t count(const char* what, std::size_t min_entry_bytes) {
        const auto n = u32(what);
        if (n > left_ / min_entry_bytes) fail(what, "claims " + std::to_string(n) + " entries, more than the file holds");
        return n;
    }
    at::Tensor tensor(const char* what) {
        const auto kind = u8(what);
        if (kind == kAbsent) return {};
        std::size_t element = 0;
        c10::ScalarType type = torch::kFloat32;
        switch (kind) {
            case kFloat32: element = 4, type = torch::kFloat32; break;
            case kFloat64: element = 8, type = torch::kFloat64; break;
            case kInt64: element = 8, type = torch::kInt64; break;
            default: fail(what, "has an unknown element type " + std::to_string(kind));
        }
        const auto dims = u8(what);
        if (dims > kMaxTensorDims) fail(what, "has " + std::to_string(dims) + " dimensions");
        std::vector<std::int64_t> sizes;
        // The product of the sizes, with zeros counted as ones, must fit in the file too: an
        // empty tensor of sizes [0, 2^62, 2^62] would overflow LibTorch's strides.
        std::size_t numel = 1, span = 1;
        const std::size_t most = left_ / element;  // no element count above this fits in the file
        for (int i = 0; i < dims; ++i) {
            const auto d = i64(what);
            if (d < 0) fail(what, "has a negative size");
            const auto extent = static_cast<std::size_t>(std::max<std::int64_t>(d, 1));
            if (span > most / extent) fail(what, "is larger than the file");
            span *= extent;
            numel *= static_cast<std::size_t>(d);
            sizes.push_back(d);
        }
        const char* data = take(numel * element, what);
        auto t = torch::empty(sizes, torch::TensorOptions().dtype(type));
        if (numel > 0) std::memcpy(t.data_ptr(), data, numel * element);
        return t;
    }
    void expect_end() {
        if (left_ != 0) throw Error(path_ + ": checkpoint has " + std::to_string(left_) + " unread bytes after its last field");
    }
    [[noreturn]] void fail(const char* what, const std::string& why) const {
        throw Error(path_ + ": checkpoint field '" + what + "' " + why);
    }

private:
    const char* take(std::size_t n, const char* what) {
        if (n > left_) fail(what, "runs past the end of the data");
        const char* at = p_;
        p_ += n;
        left_ -= n;
        return at;
    }
    template <class T>
    T scalar(const char* what) {
        T v;
        std::memcpy(&v, take(sizeof(T), what), sizeof(T));
        return v;
    }

    const char* p_;
    std::size_t left_;
    std::string path_;
};

void write_step(PayloadWriter& w, const StepRecord& r) {
    w.i64(r.iteration);
    w.f64(r.loss);
    w.f64(r.lr);
    w.i64(r.expert);
    w.i64(r.start_epoch);
    w.i64(r.upper_bound);
    w.text(r.mode);
    w.i64(r.syn_steps);
    w.f64(r.grad_norm_images);
    w.f64(r.grad_lr);
    w.f64(r.grad_norm_labels);
    w.f64(r.seconds);
    w.i64(r.peak_bytes);
    w.text(r.memory_kind);
    w.u8(r.updated ? 1 : 0);
    w.text(r.skip_reason);
    w.f64(r.tesla_cosine);
    w.u8(r.has_tesla_cosine ? 1 : 0);
    w.text(r.guard);
}

// The smallest a step record can be in the file (every string empty).
constexpr std::size_t kMinStepBytes = 8 * 13 + 4 * 4 + 2;

StepRecord read_step(PayloadReader& r) {
    StepRecord s;
    s.iteration = r.i64("history");
    s.loss = r.f64("history");
    s.lr = r.f64("history");
    s.expert = r.i64("history");
    s.start_epoch = r.i64("history");
    s.upper_bound = r.i64("history");
    s.mode = r.text("history");
    s.syn_steps = r.i64("history");
    s.grad_norm_images = r.f64("history");
    s.grad_lr = r.f64("history");
    s.grad_norm_labels = r.f64("history");
    s.seconds = r.f64("history");
    s.peak_bytes = r.i64("history");
    s.memory_kind = r.text("history");
    s.updated = r.flag("history");
    s.skip_reason = r.text("history");
    s.tesla_cosine = r.f64("history");
    s.has_tesla_cosine = r.flag("history");
    s.guard = r.text("history");
    return s;
}

// How many step records the writer copies from the run at a time (a few tens of kilobytes).
constexpr std::size_t kHistoryPiece = 256;

void write_optimizer(PayloadWriter& w, const DistillRunState::Optimizer& o) {
    w.f64(o.lr);
    w.f64(o.momentum);
    w.f64(o.weight_decay);
    w.tensor(o.buffer);
}

DistillRunState::Optimizer read_optimizer(PayloadReader& r, const char* what) {
    DistillRunState::Optimizer o;
    o.lr = r.f64(what);
    o.momentum = r.f64(what);
    o.weight_decay = r.f64(what);
    o.buffer = r.tensor(what);
    return o;
}

// A whole checkpoint file, checked and parsed.
struct Checkpoint {
    CheckpointInfo info;
    std::map<std::string, std::string> header;
    DistillRunState state;
};

std::int64_t header_integer(const std::map<std::string, std::string>& header, const std::string& key,
                            const std::string& path) {
    const auto it = header.find(key);
    const auto v = it == header.end() ? std::nullopt : parse_int(it->second);
    if (!v || *v < 0) throw Error(path + ": checkpoint header has no valid '" + key + "'");
    return *v;
}

DistillConfig config_from(const std::vector<std::pair<std::string, std::string>>& values, const std::string& dataset,
                          const std::string& path) {
    const auto& known = DistillConfig::keys();
    Settings s = Settings::parse("", path + " (saved configuration)");
    for (const auto& [key, value] : values) {
        if (std::find(known.begin(), known.end(), key) == known.end())
            throw Error(path + ": the saved configuration has an unknown key '" + key + "'");
        s.set(key, value);
    }
    // The writer saves every key; one missing would silently take a default that the run never had.
    for (const auto& key : known)
        if (!s.has(key)) throw Error(path + ": the saved configuration lacks '" + key + "'");
    return DistillConfig::from_settings(s, dataset);
}

// Values that pass the checksum but that no run can have reached: a crafted or damaged state
// would otherwise trip the run's guard at every resume, which blames the hyperparameters.
void check_saved_values(const DistillRunState& s, const std::string& path) {
    const auto refuse = [&](const std::string& what) { throw Error(path + ": the saved run is not valid: " + what); };
    const auto check_finite = [&](const at::Tensor& t, const char* what) {
        if (t.defined() && t.is_floating_point() && !torch::isfinite(t).all().item<bool>())
            refuse("NaN or Inf in " + std::string(what));
    };
    check_finite(s.images, "the synthetic images");
    check_finite(s.label_logits, "the label logits");
    check_finite(s.teacher_targets, "the teacher's soft labels");
    check_finite(s.lr_tensor, "the learned lr");
    if (!(s.lr > 0) || !std::isfinite(s.lr)) refuse("the learned lr is " + format_double(s.lr) + ", not a positive number");
    if (s.lr_tensor.defined() && s.lr_tensor.numel() == 1 && s.lr_tensor.item<double>() != s.lr)
        refuse("the learned lr is saved as " + format_double(s.lr) + " and as " + format_double(s.lr_tensor.item<double>()));
    const std::pair<const DistillRunState::Optimizer*, const char*> optimizers[] = {
        {&s.images_opt, "the images' optimiser"}, {&s.lr_opt, "the lr's optimiser"}, {&s.labels_opt, "the labels' optimiser"}};
    for (const auto& [o, what] : optimizers) {
        if (!(o->lr >= 0) || !std::isfinite(o->lr) || !(o->momentum >= 0 && o->momentum < 1) ||
            !(o->weight_decay >= 0) || !std::isfinite(o->weight_decay))
            refuse(std::string(what) + " has lr " + format_double(o->lr) + ", momentum " + format_double(o->momentum) +
                   ", weight decay " + format_double(o->weight_decay));
        check_finite(o->buffer, (std::string(what) + "'s momentum buffer").c_str());
    }
}

Checkpoint read_checkpoint(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw Error(path + ": no checkpoint file here");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open the checkpoint");
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::int64_t>(in.tellg());
    in.seekg(0);
    if (size < 0) throw Error(path + ": cannot read the checkpoint");
    Checkpoint c;
    std::int64_t header_bytes = 0;
    c.header = read_text_header(in, kMagic, path, "checkpoint", header_bytes);
    if (c.header["format"] != kFormat)
        throw Error(path + ": checkpoint format '" + c.header["format"] + "' is not '" + kFormat + "'");
    const auto payload_bytes = header_integer(c.header, "payload_bytes", path);
    if (payload_bytes > size) throw Error(path + ": truncated checkpoint: its header promises " +
                                          std::to_string(payload_bytes) + " bytes of data, the file has " +
                                          std::to_string(size) + " bytes in all");
    const auto want = header_bytes + payload_bytes + 4;
    if (size != want)
        throw Error(path + ": " + (size < want ? "truncated checkpoint" : "checkpoint has trailing bytes") +
                    ": expected " + std::to_string(want) + " bytes, found " + std::to_string(size) +
                    " (an interrupted copy? the writer itself never leaves a partial file under this name)");
    std::string bytes(static_cast<std::size_t>(size), '\0');
    in.seekg(0);
    in.read(bytes.data(), size);
    if (!in) throw Error(path + ": cannot read the checkpoint");
    std::uint32_t stored = 0;
    std::memcpy(&stored, bytes.data() + size - 4, 4);
    if (crc32_of(bytes.data(), static_cast<std::size_t>(size - 4)) != stored)
        throw Error(path + ": corrupt checkpoint: the checksum does not match its contents");

    PayloadReader r(bytes.data() + header_bytes, static_cast<std::size_t>(payload_bytes), path);
    c.info.path = path;
    c.info.settings_text = r.text("settings");
    c.info.experts_dir = r.text("experts_dir");
    c.info.dataset = c.header["dataset"];
    auto& s = c.state;
    std::vector<std::pair<std::string, std::string>> config;
    for (auto n = r.count("config", 8); n > 0; --n) {
        auto key = r.text("config");
        config.emplace_back(std::move(key), r.text("config"));
    }
    for (auto n = r.count("pending", 8); n > 0; --n) {
        auto key = r.text("pending");
        s.pending.emplace_back(std::move(key), r.text("pending"));
    }
    for (auto n = r.count("changes", 8 + 12); n > 0; --n) {
        ChangeRecord ch;
        ch.iteration = r.i64("changes");
        ch.key = r.text("changes");
        ch.old_value = r.text("changes");
        ch.new_value = r.text("changes");
        s.changes.push_back(std::move(ch));
    }
    for (auto n = r.count("history", kMinStepBytes); n > 0; --n) s.history.push_back(read_step(r));
    s.iteration = r.i64("iteration");
    s.rng = r.text("rng");
    s.experts = r.i64("experts");
    for (auto n = r.count("expert_order", 8); n > 0; --n) s.expert_order.push_back(r.i64("expert_order"));
    s.expert_position = r.i64("expert_position");
    s.images = r.tensor("images");
    s.hard_labels = r.tensor("hard_labels");
    s.label_logits = r.tensor("label_logits");
    s.teacher_targets = r.tensor("teacher_targets");
    s.lr = r.f64("lr");
    s.lr_tensor = r.tensor("lr_tensor");
    s.images_opt = read_optimizer(r, "images_optimizer");
    s.lr_opt = read_optimizer(r, "lr_optimizer");
    s.labels_opt = read_optimizer(r, "labels_optimizer");
    r.expect_end();

    if (s.iteration != header_integer(c.header, "iteration", path))
        throw Error(path + ": the checkpoint's header and data disagree about the iteration");
    c.info.iteration = s.iteration;
    s.config = config_from(config, c.info.dataset, path);
    check_saved_values(s, path);
    return c;
}

// Test-only: DISTILLERY_TEST_CHECKPOINT_DELAY_MS=N makes the writer wait N ms after the
// temporary file is complete and before it is renamed, so that the CLI test can kill a run in
// exactly that window.
void test_delay_before_rename() {
    const char* ms = std::getenv("DISTILLERY_TEST_CHECKPOINT_DELAY_MS");
    if (ms != nullptr && std::atoi(ms) > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(ms)));
}

}  // namespace

void save_checkpoint(const DistillRun& run, const std::string& settings_text, const std::string& experts_dir,
                     const std::string& path) {
    // The history is copied a piece at a time as it is written: a whole copy would be as large as
    // the history, and the run's lock is never held while the file is written, so an edit from
    // the UI thread (set(), the getters) never waits for the disk.
    const DistillRunState s = run.export_state(false);
    const std::size_t steps = run.history_size();
    const auto write_payload = [&](PayloadWriter& w) {
        w.text(settings_text);
        w.text(experts_dir);
        const auto& keys = DistillConfig::keys();
        w.count(keys.size());
        for (const auto& key : keys) {
            w.text(key);
            w.text(s.config.get(key));
        }
        w.count(s.pending.size());
        for (const auto& [key, value] : s.pending) {
            w.text(key);
            w.text(value);
        }
        w.count(s.changes.size());
        for (const auto& ch : s.changes) {
            w.i64(ch.iteration);
            w.text(ch.key);
            w.text(ch.old_value);
            w.text(ch.new_value);
        }
        w.count(steps);
        for (std::size_t first = 0; first < steps; first += kHistoryPiece) {
            const std::size_t wanted = std::min(kHistoryPiece, steps - first);
            const auto piece = run.history_range(first, wanted);
            if (piece.size() < wanted) throw Error("checkpoint: the run's history shrank while it was saved");
            for (const auto& r : piece) write_step(w, r);
        }
        w.i64(s.iteration);
        w.text(s.rng);
        w.i64(s.experts);
        w.count(s.expert_order.size());
        for (const auto i : s.expert_order) w.i64(i);
        w.i64(s.expert_position);
        w.tensor(s.images);
        w.tensor(s.hard_labels);
        w.tensor(s.label_logits);
        w.tensor(s.teacher_targets);
        w.f64(s.lr);
        w.tensor(s.lr_tensor);
        write_optimizer(w, s.images_opt);
        write_optimizer(w, s.lr_opt);
        write_optimizer(w, s.labels_opt);
    };
    PayloadWriter counter;
    write_payload(counter);

    const auto& data = run.data();
    const std::map<std::string, std::string> header = {
        {"format", kFormat},
        {"iteration", std::to_string(s.iteration)},
        {"dataset", data.name},
        {"transform", data.transform.describe()},
        {"net", run.net().spec().describe()},
        {"method", s.config.method},
        {"ipc", std::to_string(s.config.ipc)},
        {"payload_bytes", std::to_string(counter.size())},
    };
    std::ostringstream opening;
    write_text_header(opening, kMagic, header);
    const std::string head = opening.str();
    write_file_atomically(path, [&](std::ostream& out) {
        out.write(head.data(), static_cast<std::streamsize>(head.size()));
        PayloadWriter w(out, crc32_of(head.data(), head.size()));
        write_payload(w);
        if (w.size() != counter.size()) throw Error("checkpoint: the run changed while it was saved");
        const std::uint32_t crc = w.crc();
        out.write(reinterpret_cast<const char*>(&crc), 4);
        out.flush();
        test_delay_before_rename();
    });
}

CheckpointInfo read_checkpoint_info(const std::string& path) { return read_checkpoint(path).info; }

std::vector<StepRecord> read_checkpoint_history(const std::string& path) {
    auto c = read_checkpoint(path);
    return {std::make_move_iterator(c.state.history.begin()), std::make_move_iterator(c.state.history.end())};
}

DistillRunState read_checkpoint_state(const std::string& path, CheckpointInfo& info) {
    auto c = read_checkpoint(path);
    info = std::move(c.info);
    return std::move(c.state);
}

std::unique_ptr<DistillRun> resume_run(const std::string& path, std::shared_ptr<const PreparedData> data,
                                       const std::string& experts_dir) {
    auto c = read_checkpoint(path);
    if (c.info.dataset != data->name || c.header["transform"] != data->transform.describe())
        throw Error(path + ": the run was made on " + c.info.dataset + " (" + c.header["transform"] + "), not on " +
                    data->name + " (" + data->transform.describe() + ")");
    const std::string dir = experts_dir.empty() ? c.info.experts_dir : experts_dir;
    std::unique_ptr<DistillRun> run;
    try {
        run = DistillRun::from_state(std::move(data), dir, std::move(c.state));
    } catch (const std::exception& e) {
        // Error for what the state says; std::filesystem's errors for an experts path the system
        // refuses to look at (too long, not accessible).
        throw Error(path + ": cannot resume: " + e.what());
    }
    if (run->net().spec().describe() != c.header["net"])
        throw Error(path + ": the run matched experts of " + c.header["net"] + "; those in " + dir + " are " +
                    run->net().spec().describe());
    return run;
}

}  // namespace distillery
