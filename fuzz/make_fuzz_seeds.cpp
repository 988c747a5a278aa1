// make_fuzz_seeds OUT: small valid inputs for every fuzz target, written by Distillery's own
// writers into OUT/<target>/ (scripts/fuzz.sh runs it before fuzzing). Valid files take the
// fuzzer past the magic numbers and size checks at once, so mutations explore the deeper parsing.
#include <zlib.h>

#include <iostream>
#include <sstream>

#include "distill/checkpoint.h"
#include "distill/config.h"
#include "distill/run.h"
#include "distill/synthetic_set.h"
#include "fuzz_support.h"
#include "interop/pytorch_files.h"

using namespace distillery;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void put_u32_be(std::string& b, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b += static_cast<char>((v >> s) & 0xFF);
}

std::string idx(const std::vector<std::uint32_t>& dims) {
    std::string b{0, 0, 8, static_cast<char>(dims.size())};
    std::uint32_t n = 1;
    for (auto d : dims) {
        put_u32_be(b, d);
        n *= d;
    }
    for (std::uint32_t i = 0; i < n; ++i) b += static_cast<char>(dims.size() == 1 ? i % 10 : (i * 7) % 256);
    return b;
}

std::string gzip(const std::string& bytes, const fs::path& scratch) {
    gzFile f = gzopen(scratch.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    return read_file(scratch);
}

std::string cifar(int records, int header, int label_byte, int classes) {
    std::string b;
    for (int r = 0; r < records; ++r) {
        for (int h = 0; h < header; ++h) b += static_cast<char>(h == label_byte ? r % classes : 3);
        for (int i = 0; i < 3072; ++i) b += static_cast<char>((r * 31 + i) % 256);
    }
    return b;
}

void checkpoint_seed(const fs::path& out, const fs::path& experts, bool learned_labels) {
    DistillConfig c;
    c.ipc = 1;
    c.syn_steps = 2;
    c.expert_epochs = 1;
    c.min_start_epoch = 0;
    c.max_start_epoch = 2;
    c.iterations = 2;
    c.dsa_strategy = "none";
    c.mode = learned_labels ? GradientMode::Exact : GradientMode::Unrolled;
    c.labels = learned_labels ? LabelMode::Learned : LabelMode::Hard;
    c.method = learned_labels ? "datm" : "mtt";
    DistillRun run(fuzz::tiny_data(), experts.string(), c);
    run.step();
    run.set("lr_img", "500");  // a pending change, so the seed holds one
    save_checkpoint(run, "dataset = fuzz\n", experts.string(), out.string());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: make_fuzz_seeds OUT\n";
        return 2;
    }
    try {
        fuzz::quiet_torch();
        const fs::path out = argv[1];
        auto dir = [&](const char* target) {
            fs::create_directories(out / target);
            return out / target;
        };
        const auto scratch = fuzz::scratch();
        auto seed = [](const fs::path& p, const std::string& bytes) { fuzz::write_file(p, bytes); };

        const auto images = idx({3, 5, 4}), labels = idx({3});
        seed(dir("fuzz_idx") / "plain", fuzz::join(images, labels));
        seed(dir("fuzz_idx") / "gzip", fuzz::join(gzip(images, scratch / "i.gz"), gzip(labels, scratch / "l.gz")));
        seed(dir("fuzz_idx_gz") / "plain", fuzz::join(images, labels));

        seed(dir("fuzz_cifar") / "cifar10", std::string(1, '\0') + cifar(2, 1, 0, 10));
        seed(dir("fuzz_cifar") / "cifar100", std::string(1, '\1') + cifar(2, 2, 1, 100));

        fuzz::write_tiny_experts(scratch / "experts");
        seed(dir("fuzz_dtraj") / "expert", read_file(ExpertStore((scratch / "experts").string()).path_of(0)));

        SyntheticSet set;
        torch::manual_seed(2);
        set.images = torch::randn({2, 3, 4, 4});
        set.labels = torch::tensor({1, 0}, torch::kInt64);
        set.lr = 0.02;
        set.info = {{"transform", "normalize"}, {"dataset", "fuzz"}};
        save_synthetic_set((scratch / "hard.dsyn").string(), set);
        seed(dir("fuzz_dsyn") / "hard", read_file(scratch / "hard.dsyn"));
        auto soft = set;
        soft.labels = torch::softmax(torch::randn({2, 2}), 1);
        save_synthetic_set((scratch / "soft.dsyn").string(), soft);
        seed(dir("fuzz_dsyn") / "soft", read_file(scratch / "soft.dsyn"));

        for (const auto& [name, s] : {std::pair{"hard", set}, std::pair{"soft", soft}}) {
            const auto paths = export_synthetic_set_pt(s, (scratch / name).string());
            seed(dir("fuzz_pt") / (std::string(name) + "_images"), read_file(paths.images));
            seed(dir("fuzz_pt") / (std::string(name) + "_labels"), read_file(paths.labels));
            seed(dir("fuzz_pt") / (std::string(name) + "_lr"), read_file(paths.lr));
        }
        // MTT's buffer layout, as plain lists (pickle_save writes a list typed as holding tensors
        // with a TorchScript helper that Python's torch.save never emits).
        const ConvNet net(fuzz::tiny_net());
        c10::impl::GenericList experts(c10::AnyType::get());
        for (std::uint64_t e = 0; e < 2; ++e) {
            c10::impl::GenericList epochs(c10::AnyType::get());
            for (const auto& theta : fuzz::tiny_trajectory(e)) {
                c10::impl::GenericList params(c10::AnyType::get());
                for (size_t p = 0; p < net.layout().size(); ++p) params.push_back(net.slot(theta, p).clone());
                epochs.push_back(params);
            }
            experts.push_back(epochs);
        }
        const auto buffer = torch::pickle_save(experts);
        seed(dir("fuzz_pt") / "replay_buffer", std::string(buffer.begin(), buffer.end()));

        checkpoint_seed(dir("fuzz_checkpoint") / "hard", scratch / "experts", false);
        checkpoint_seed(dir("fuzz_checkpoint") / "learned", scratch / "experts", true);

        fs::remove_all(scratch);
        std::cout << "make_fuzz_seeds: seeds in " << out.string() << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "make_fuzz_seeds: " << e.what() << "\n";
        return 1;
    }
}
