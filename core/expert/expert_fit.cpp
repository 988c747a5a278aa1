#include "expert/expert_fit.h"

#include <utility>

#include "common/error.h"
#include "common/numbers.h"
#include "expert/trajectory.h"

namespace distillery {

void check_experts_fit(const std::string& dir, const PreparedData& data, const ExpertConfig& cfg) {
    const ExpertStore store(dir);
    const std::string net = cfg.net_for(data).describe();
    for (const auto index : store.complete()) {
        const auto expert = store.open(index);
        const auto refuse = [&](const std::string& what, const std::string& have, const std::string& want) {
            throw Error(expert.path() + ": this expert was trained " + what + " " + have + ", but the settings ask for " +
                        want + "; choose the experts folder of these settings (leave out --experts) or change the settings");
        };
        const auto dataset = expert.value("dataset");
        if (!dataset.empty() && dataset != data.name) refuse("on", dataset, data.name);
        const auto transform = expert.value("transform");
        if (!transform.empty() && transform != data.transform.describe())
            refuse("on", transform + " data", data.transform.describe() + " data (zca)");
        const auto expert_net = expert.value("net");
        if (expert_net != net) refuse("as", expert_net.empty() ? "an unnamed network" : expert_net, net + " (net_width, net_depth)");
        const auto optimizer = expert_value(expert, "expert_optimizer");
        if (optimizer != cfg.optimizer) refuse("with", optimizer, "expert_optimizer = " + cfg.optimizer);
        const auto schedule = expert_value(expert, "expert_lr_schedule");
        if (schedule != cfg.lr_schedule)
            refuse("with a", schedule + " lr", "expert_lr_schedule = " + cfg.lr_schedule);
        if (cfg.uses_gsam())
            for (const auto& [key, want] : {std::pair<std::string, double>{"gsam_rho", cfg.gsam.rho}, {"gsam_alpha", cfg.gsam.alpha}}) {
                const auto have = parse_double(expert.value(key));
                if (!have || *have != want) refuse("with", key + " = " + expert.value(key), key + " = " + format_double(want));
            }
        const auto epochs = expert.checkpoints() - 1;
        if (epochs < cfg.train_epochs)
            refuse("for", std::to_string(epochs) + " epochs", "train_epochs = " + std::to_string(cfg.train_epochs));
    }
}

}  // namespace distillery
