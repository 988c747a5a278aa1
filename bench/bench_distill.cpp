// Distillation benchmark: time per iteration and peak tensor memory of the three gradient modes
// (unrolled = MTT's full unroll, tesla = TESLA's first-order adjoint, exact = our exact adjoint)
// against the number of student steps N, on the real ConvNet-3 for Fashion-MNIST with an IPC-10
// set of real images. Prints a Markdown table and a summary for docs/benchmarks.md.
//
// Usage: bench_distill [--width 128] [--steps 10,20,40,80] [--reps 3] [--modes unrolled,tesla,exact]
//                      [--batch 100] [--ipc 10] [--seed 7] [--device cpu|cuda] [--json OUT] [--python-json FILE]
//
// Each mode gets one untimed warm-up call (at the smallest N). Then, for each N, every repetition
// runs the modes one after the other (the order reversed every other repetition), `reps` times;
// the time is the median, the memory the highest peak over the repetitions (MemoryProbe "cpu":
// live tensor bytes above what was alive before the call), and the time ratios to the unrolled
// mode are the medians of the per-repetition ratios. All modes run the very same
// problem and the very same student plan (batches and DSA draws) for a given N.
// --python-json reads what bench/python/distill_iteration.py wrote and prints the C++/PyTorch
// time ratio of the unrolled iteration per N. An unrolled N whose memory, extrapolated linearly from
// the largest N measured so far, would exceed 85 % of MemAvailable is skipped (reported as such).
// --device cuda runs it all on the GPU (a CUDA LibTorch): memory is then the CUDA caching
// allocator's peak (MemoryProbe "cuda"), and the clock is read only after the device has finished.
#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "augment/dsa.h"
#include "common/runtime.h"
#include "data/transform.h"
#include "distill/matching.h"
#include "distill/memory.h"
#include "eval/evaluate.h"

using namespace distillery;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::int64_t width = 128;
    std::vector<std::int64_t> steps{10, 20, 40, 80};
    int reps = 3;
    std::vector<std::string> modes{"unrolled", "tesla", "exact"};
    std::int64_t batch = 100;
    std::int64_t ipc = 10;
    std::uint64_t seed = 7;
    std::string device = "cpu";
    std::string json_out;
    std::string python_json;
};

struct Measurement {
    std::string mode;
    std::int64_t steps = 0;
    std::vector<double> seconds;  // one per repetition
    double median = 0;
    double peak_mib = 0;
    double loss = 0;
    Tensor d_images;  // dL/dX of the last repetition, to check that exact equals unrolled
};

[[noreturn]] void usage(const std::string& problem) {
    std::fprintf(stderr,
                 "bench_distill: %s\n"
                 "usage: bench_distill [--width W] [--steps 10,20,40,80] [--reps R] [--modes unrolled,tesla,exact]\n"
                 "                     [--batch B] [--ipc K] [--seed S] [--device cpu|cuda] [--json OUT] [--python-json FILE]\n",
                 problem.c_str());
    std::exit(2);
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

std::int64_t positive(const std::string& text, const std::string& what) {
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || v <= 0) usage("bad value '" + text + "' for " + what);
    return v;
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string key = argv[i];
        if (key == "-h" || key == "--help") usage("help");
        if (i + 1 >= argc) usage("missing value after " + key);
        const std::string value = argv[++i];
        if (key == "--width") o.width = positive(value, key);
        else if (key == "--reps") o.reps = static_cast<int>(positive(value, key));
        else if (key == "--batch") o.batch = positive(value, key);
        else if (key == "--ipc") o.ipc = positive(value, key);
        else if (key == "--seed") o.seed = static_cast<std::uint64_t>(positive(value, key));
        else if (key == "--device") {
            if (value != "cpu" && value != "cuda") usage("unknown device '" + value + "' (cpu, cuda)");
            o.device = value;
        } else if (key == "--json") o.json_out = value;
        else if (key == "--python-json") o.python_json = value;
        else if (key == "--steps") {
            o.steps.clear();
            for (const auto& s : split_list(value)) o.steps.push_back(positive(s, key));
            if (o.steps.empty()) usage("--steps needs at least one value");
            std::sort(o.steps.begin(), o.steps.end());
            o.steps.erase(std::unique(o.steps.begin(), o.steps.end()), o.steps.end());
        } else if (key == "--modes") {
            o.modes = split_list(value);
            if (o.modes.empty()) usage("--modes needs at least one mode");
            for (const auto& m : o.modes)
                if (m != "unrolled" && m != "tesla" && m != "exact")
                    usage("unknown mode '" + m + "' (unrolled, tesla, exact)");
        } else {
            usage("unknown option " + key);
        }
    }
    return o;
}

// MemAvailable of /proc/meminfo in MiB; negative when unknown.
double available_mib() {
    std::ifstream in("/proc/meminfo");
    for (std::string key; in >> key;) {
        long long kib = 0;
        in >> kib;
        if (key == "MemAvailable:") return kib / 1024.0;
        in.ignore(1 << 20, '\n');
    }
    return -1;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

MatchGradients run_mode(const std::string& mode, const MatchProblem& p) {
    if (mode == "unrolled") return match_unrolled(p);
    return match_adjoint(p, /*exact=*/mode == "exact");
}

// CUDA runs asynchronously: a clock read before the device is done would time the launches only.
void wait_for_device(const std::string& device) {
    if (device == "cuda") torch::cuda::synchronize();
}

const Measurement* find(const std::vector<Measurement>& all, const std::string& mode, std::int64_t n) {
    for (const auto& m : all)
        if (m.mode == mode && m.steps == n) return &m;
    return nullptr;
}

// (max - min) / min of a mode's peak memory over N, in %; negative when there is nothing to compare.
double memory_spread(const std::vector<Measurement>& all, const std::string& mode) {
    double lo = 0, hi = 0;
    int count = 0;
    for (const auto& m : all) {
        if (m.mode != mode) continue;
        lo = count ? std::min(lo, m.peak_mib) : m.peak_mib;
        hi = count ? std::max(hi, m.peak_mib) : m.peak_mib;
        ++count;
    }
    if (count < 2 || lo <= 0) return -1;
    return 100.0 * (hi - lo) / lo;
}

// The value after "key": in a flat JSON object written by distill_iteration.py (numbers and
// plain strings only); empty when the key is missing.
std::string json_field(const std::string& object, const std::string& key) {
    const auto at = object.find("\"" + key + "\"");
    if (at == std::string::npos) return "";
    auto i = object.find(':', at + key.size() + 2);
    if (i == std::string::npos) return "";
    ++i;
    while (i < object.size() && std::isspace(static_cast<unsigned char>(object[i]))) ++i;
    if (i < object.size() && object[i] == '"') {
        const auto end = object.find('"', i + 1);
        return end == std::string::npos ? "" : object.substr(i + 1, end - i - 1);
    }
    const auto end = object.find_first_of(",}]", i);
    auto raw = object.substr(i, end == std::string::npos ? std::string::npos : end - i);
    while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) raw.pop_back();
    return raw;
}

struct PythonResults {
    std::int64_t width = 0;
    std::string threads, torch_version;
    std::map<std::int64_t, double> unrolled;  // N -> median seconds per iteration
};

PythonResults read_python_json(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    PythonResults r;
    const auto results_at = text.find("\"results\"");
    if (results_at == std::string::npos) throw std::runtime_error(path + " has no \"results\"");
    // Top-level fields come before "results" in the file the script writes.
    const std::string head = text.substr(0, results_at);
    r.width = std::atoll(json_field(head, "width").c_str());
    r.threads = json_field(head, "threads");
    r.torch_version = json_field(head, "torch");
    for (auto open = text.find('{', results_at); open != std::string::npos; open = text.find('{', open + 1)) {
        const auto close = text.find('}', open);
        if (close == std::string::npos) break;
        const std::string object = text.substr(open, close - open + 1);
        if (json_field(object, "mode") != "unrolled") continue;
        const auto n = std::atoll(json_field(object, "N").c_str());
        const auto s = json_field(object, "seconds");
        if (n > 0 && !s.empty()) r.unrolled[n] = std::atof(s.c_str());
    }
    return r;
}

void write_json(const std::string& path, const Options& o, const std::vector<Measurement>& all) {
    std::ofstream out(path);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << "{\"device\": \"" << o.device << "\", \"width\": " << o.width << ", \"batch\": " << o.batch << ", \"ipc\": " << o.ipc
        << ", \"threads\": " << at::get_num_threads() << ", \"torch\": \"" << TORCH_VERSION << "\", \"results\": [\n";
    for (size_t i = 0; i < all.size(); ++i) {
        const auto& m = all[i];
        out << "  {\"mode\": \"" << m.mode << "\", \"N\": " << m.steps << ", \"seconds\": " << m.median
            << ", \"peak_mib\": " << m.peak_mib << ", \"times\": [";
        for (size_t r = 0; r < m.seconds.size(); ++r) out << (r ? ", " : "") << m.seconds[r];
        out << "]}" << (i + 1 < all.size() ? ",\n" : "\n");
    }
    out << "]}\n";
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    init_runtime();
    if (o.device == "cuda" && !torch::cuda::is_available()) {
        std::fprintf(stderr, "bench_distill: --device cuda, but this LibTorch build sees no CUDA GPU\n");
        return 2;
    }
    MemoryProbe probe(o.device);  // on the CPU it installs the counting allocator before the data is loaded

    auto split = load_dataset("fashion-mnist");
    split.train = balanced_subset(split.train, std::max<std::int64_t>(o.ipc, 100), 0);
    split.test = balanced_subset(split.test, 10, 0);  // unused here; keep it small
    const auto data = prepare(split, false, o.device);
    const auto real = random_real_subset(data, o.ipc, 0);
    const Tensor& images = real.first;
    const Tensor& labels = real.second;

    const ConvNetSpec spec = convnet_for(data, o.width, 3);
    const ConvNet net(spec);
    const Dsa dsa("color_crop_cutout_flip_scale_rotate");

    Rng rng(1);
    const Tensor start = net.initial_parameters(rng).to(images.device());
    torch::manual_seed(1);
    const Tensor target = start + 0.01 * torch::randn_like(start);  // the values do not matter for timing

    std::printf("# Distillation iteration: time and peak memory per gradient mode\n\n");
    std::printf("%s; memory probe %s\n", runtime_summary().c_str(), probe.kind().c_str());
    std::printf("%s, %lld parameters; %lld images (IPC %lld, real Fashion-MNIST), hard labels, batch_syn %lld, "
                "DSA %s, lr 0.01; median of %d repetitions (the modes taking turns) after one warm-up per mode\n\n",
                spec.describe().c_str(), static_cast<long long>(net.num_params()),
                static_cast<long long>(images.size(0)), static_cast<long long>(o.ipc),
                static_cast<long long>(o.batch), dsa.strategy().c_str(), o.reps);

    // One plan per N, drawn from the same seed, shared by every mode.
    std::map<std::int64_t, std::vector<StudentStep>> plans;
    for (const auto n : o.steps) {
        Rng plan_rng(o.seed);
        plans[n] = plan_student_steps(images.size(0), n, o.batch, dsa, spec.height, spec.width, plan_rng,
                                      images.device());
    }
    auto problem_for = [&](std::int64_t n) {
        MatchProblem p;
        p.net = &net;
        p.dsa = &dsa;
        p.images = images;
        p.labels.targets = labels;
        p.lr = 0.01;
        p.start = start;
        p.target = target;
        p.steps = plans.at(n);
        return p;
    };

    std::printf("| mode | N | s/iteration | peak MiB |\n|---|---:|---:|---:|\n");
    std::fflush(stdout);
    std::vector<Measurement> all;
    for (const auto& mode : o.modes) {
        const auto t0 = Clock::now();
        run_mode(mode, problem_for(o.steps.front()));
        wait_for_device(o.device);
        std::fprintf(stderr, "[bench_distill] %s warm-up (N=%lld): %.2f s\n", mode.c_str(),
                     static_cast<long long>(o.steps.front()), std::chrono::duration<double>(Clock::now() - t0).count());
    }
    for (const auto n : o.steps) {
        // The modes of one N take turns within every repetition (in reverse order every other
        // repetition), so that a slow spell of the machine falls on all of them alike and the
        // per-repetition ratios compare like with like.
        std::vector<Measurement> at_n;
        for (const auto& mode : o.modes) {
            // The unrolled mode's memory grows linearly in N: skip an N that would not fit in RAM
            // (predicted from the largest N measured so far) rather than be killed mid-run.
            const Measurement* prev = nullptr;
            for (const auto& m : all)
                if (m.mode == mode && m.steps < n && (!prev || m.steps > prev->steps)) prev = &m;
            const double avail = available_mib();
            if (mode == "unrolled" && prev && avail > 0 && o.device == "cpu") {
                const double predicted = prev->peak_mib * static_cast<double>(n) / static_cast<double>(prev->steps);
                if (predicted > 0.85 * avail) {
                    std::printf("| %s | %lld | skipped | ~%.0f needed, %.0f available |\n", mode.c_str(),
                                static_cast<long long>(n), predicted, avail);
                    std::fflush(stdout);
                    continue;
                }
            }
            Measurement m;
            m.mode = mode;
            m.steps = n;
            at_n.push_back(std::move(m));
        }
        const auto p = problem_for(n);
        std::vector<std::int64_t> peaks(at_n.size(), 0);
        for (int r = 0; r < o.reps; ++r) {
            for (size_t k = 0; k < at_n.size(); ++k) {
                const size_t i = r % 2 == 0 ? k : at_n.size() - 1 - k;
                auto& m = at_n[i];
                auto& peak = peaks[i];
                wait_for_device(o.device);
                probe.begin();
                const auto t0 = Clock::now();
                const auto g = run_mode(m.mode, p);
                wait_for_device(o.device);
                const double s = std::chrono::duration<double>(Clock::now() - t0).count();
                peak = std::max(peak, probe.peak_bytes());
                m.seconds.push_back(s);
                m.loss = g.loss;
                m.d_images = g.images;
                std::fprintf(stderr, "[bench_distill] %s N=%lld rep %d/%d: %.2f s, peak %.1f MiB\n", m.mode.c_str(),
                             static_cast<long long>(n), r + 1, o.reps, s, probe.peak_bytes() / 1048576.0);
            }
        }
        for (size_t k = 0; k < at_n.size(); ++k) {
            auto& m = at_n[k];
            m.median = median(m.seconds);
            m.peak_mib = peaks[k] / 1048576.0;
            std::printf("| %s | %lld | %.3f | %.1f |\n", m.mode.c_str(), static_cast<long long>(n), m.median,
                        m.peak_mib);
            all.push_back(std::move(m));
        }
        std::fflush(stdout);
    }

    // Summary.
    const auto n_lo = o.steps.front(), n_hi = o.steps.back();
    std::printf("\nSummary:\n\n");
    for (const std::string mode : {"exact", "tesla"}) {
        const double spread = memory_spread(all, mode);
        if (spread >= 0)
            std::printf("- %s: peak memory spread across N = %lld..%lld: %.1f %% ((max-min)/min)\n", mode.c_str(),
                        static_cast<long long>(n_lo), static_cast<long long>(n_hi), spread);
    }
    {
        // Smallest and largest N the unrolled mode actually ran (large N may have been skipped).
        const Measurement *lo = nullptr, *hi = nullptr;
        for (const auto& m : all) {
            if (m.mode != "unrolled") continue;
            if (!lo || m.steps < lo->steps) lo = &m;
            if (!hi || m.steps > hi->steps) hi = &m;
        }
        if (lo && hi && lo != hi && lo->peak_mib > 0)
            std::printf("- unrolled: peak memory growth N=%lld vs N=%lld: x%.2f (%.1f -> %.1f MiB)\n",
                        static_cast<long long>(hi->steps), static_cast<long long>(lo->steps),
                        hi->peak_mib / lo->peak_mib, lo->peak_mib, hi->peak_mib);
    }
    for (const std::string mode : {"exact", "tesla"}) {
        std::string line;
        for (const auto n : o.steps) {
            const auto* a = find(all, mode, n);
            const auto* u = find(all, "unrolled", n);
            if (!a || !u || a->seconds.size() != u->seconds.size()) continue;
            std::vector<double> ratios;  // repetition by repetition: the two ran back to back
            for (size_t r = 0; r < a->seconds.size(); ++r)
                if (u->seconds[r] > 0) ratios.push_back(a->seconds[r] / u->seconds[r]);
            if (ratios.empty()) continue;
            char buf[64];
            std::snprintf(buf, sizeof buf, "%sN=%lld x%.2f", line.empty() ? "" : ", ", static_cast<long long>(n),
                          median(ratios));
            line += buf;
        }
        if (!line.empty())
            std::printf("- time %s/unrolled (median of the per-repetition ratios): %s\n", mode.c_str(), line.c_str());
    }
    {
        // Sanity: the exact mode must give MTT's gradient (float32 rounding apart).
        std::string line;
        for (const auto n : o.steps) {
            const auto* a = find(all, "exact", n);
            const auto* u = find(all, "unrolled", n);
            if (!a || !u) continue;
            const double rel = ((a->d_images - u->d_images).norm() / u->d_images.norm().clamp_min(1e-30)).item<double>();
            char buf[64];
            std::snprintf(buf, sizeof buf, "%sN=%lld %.1e", line.empty() ? "" : ", ", static_cast<long long>(n), rel);
            line += buf;
        }
        if (!line.empty()) std::printf("- check, exact vs unrolled dL/dX relative difference (float32; rounding alone reaches ~1e-3 here): %s\n",
                        line.c_str());
    }

    const bool have_unrolled = std::any_of(all.begin(), all.end(), [](const Measurement& m) { return m.mode == "unrolled"; });
    if (!o.python_json.empty() && !have_unrolled)
        std::printf("\n(--python-json ignored: the unrolled mode was not run)\n");
    if (!o.python_json.empty() && have_unrolled) {
        try {
            const auto py = read_python_json(o.python_json);
            std::printf("\nC++ (LibTorch) against PyTorch (Python, %s threads, torch %s), unrolled iteration:\n\n",
                        py.threads.empty() ? "?" : py.threads.c_str(),
                        py.torch_version.empty() ? "?" : py.torch_version.c_str());
            if (py.width != o.width)
                std::printf("WARNING: the Python run used width %lld, this run width %lld\n\n",
                            static_cast<long long>(py.width), static_cast<long long>(o.width));
            std::printf("| N | C++ s/iteration | Python s/iteration | C++/Python |\n|---:|---:|---:|---:|\n");
            for (const auto n : o.steps) {
                const auto* u = find(all, "unrolled", n);
                const auto it = py.unrolled.find(n);
                if (!u || it == py.unrolled.end() || it->second <= 0) continue;
                std::printf("| %lld | %.3f | %.3f | %.2f |\n", static_cast<long long>(n), u->median, it->second,
                            u->median / it->second);
            }
        } catch (const std::exception& e) {
            std::fprintf(stderr, "bench_distill: --python-json: %s\n", e.what());
            return 1;
        }
    }
    if (!o.json_out.empty()) write_json(o.json_out, o, all);
    return 0;
}
