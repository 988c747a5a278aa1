#include "nn/architectures.h"

#include <algorithm>
#include <sstream>

#include "common/error.h"
#include "common/nearest_word.h"
#include "nn/convnet.h"

namespace distillery {

const std::vector<std::string>& architecture_names() {
    static const std::vector<std::string> names = {"convnet", "convnetbn", "mlp",      "alexnet",
                                                   "vgg11",   "vgg11bn",   "resnet18", "resnet18bn"};
    return names;
}

std::vector<std::string> parse_architectures(const std::string& list) {
    std::vector<std::string> out;
    std::stringstream in(list);
    std::string name;
    const auto& known = architecture_names();
    while (std::getline(in, name, ',')) {
        name.erase(0, name.find_first_not_of(" \t"));
        name.erase(name.find_last_not_of(" \t") + 1);
        if (name.empty()) continue;
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        lower.erase(std::remove_if(lower.begin(), lower.end(), [](char c) { return c == '-' || c == '_'; }), lower.end());
        if (std::find(known.begin(), known.end(), lower) == known.end()) {
            std::string all;
            for (const auto& k : known) all += (all.empty() ? "" : ", ") + k;
            throw Error("unknown network '" + name + "' (did you mean '" + nearest_word(lower, known) + "'? known: " +
                        all + ")");
        }
        if (std::find(out.begin(), out.end(), lower) == out.end()) out.push_back(lower);
    }
    if (out.empty()) throw Error("no network named in '" + list + "'");
    return out;
}

std::unique_ptr<Network> make_network(const std::string& arch, const NetworkInput& input, std::int64_t convnet_width,
                                      std::int64_t convnet_depth) {
    if (arch == "convnet") {
        ConvNetSpec spec;
        spec.channels = input.channels;
        spec.height = input.height;
        spec.width = input.width;
        spec.classes = input.classes;
        spec.net_width = convnet_width;
        spec.depth = convnet_depth;
        return std::make_unique<ConvNet>(spec);
    }
    if (arch == "convnetbn") return make_convnet_bn(input, convnet_width, convnet_depth);
    if (arch == "mlp") return make_mlp(input);
    if (arch == "alexnet") return make_alexnet(input);
    if (arch == "vgg11") return make_vgg11(input, false);
    if (arch == "vgg11bn") return make_vgg11(input, true);
    if (arch == "resnet18") return make_resnet18(input, false);
    if (arch == "resnet18bn") return make_resnet18(input, true);
    parse_architectures(arch);  // throws, naming the nearest
    throw Error("unknown network '" + arch + "'");
}

}  // namespace distillery
