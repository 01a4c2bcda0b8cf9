#include <iomanip>
#include <iostream>

#include "engine/cli/commands.h"
#include "engine/config/catalog.h"
#include "engine/env/registry.h"

namespace pavlov::cli {

int list_command(const std::vector<std::string>& args) {
  if (args.size() == 1 && (args[0] == "-h" || args[0] == "--help")) {
    std::cout << "usage: pavlov list envs|agents|nets|optimizers|activations|schedules\n\n"
                 "envs: every registered environment id with its spaces, time limit and options.\n"
                 "The others: the names an experiment file can use, with the keys each accepts.\n";
    return 0;
  }
  if (args.size() != 1) {
    std::cerr << "pavlov list: expected `pavlov list envs|agents|nets|optimizers|activations|schedules`\n";
    return 2;
  }
  if (args[0] != "envs") {
    std::string kind = args[0];
    if (!kind.empty() && kind.back() == 's') kind.pop_back();
    const auto entries = Catalog::global().entries(kind);
    if (entries.empty()) {
      std::cerr << "pavlov list: unknown list '" << args[0]
                << "'; one of envs, agents, nets, optimizers, activations, schedules\n";
      return 2;
    }
    for (const CatalogEntry* e : entries) {
      std::cout << e->name << "  (" << e->summary << ")\n";
      for (const KeySpec& k : e->keys)
        std::cout << "    " << k.name << " = " << (k.default_value ? config_value_toml(*k.default_value) : "(required)")
                  << "    " << k.help << "\n";
      for (const auto& [path, value] : e->defaults)
        std::cout << "    (default " << path << " = " << config_value_toml(value) << ")\n";
    }
    return 0;
  }
  for (const EnvSpec* spec : EnvRegistry::global().all()) {
    auto env = EnvRegistry::global().make(spec->id);
    std::cout << spec->id << "  (" << spec->summary << ")\n"
              << "    observation: " << env->observation_space().to_string() << "\n"
              << "    action:      " << env->action_space().to_string() << "\n"
              << "    time limit:  "
              << (spec->max_episode_steps > 0 ? std::to_string(spec->max_episode_steps) + " steps" : "none") << "\n";
    if (!spec->source.empty()) std::cout << "    plugin:      " << spec->source << "\n";
    for (const OptionInfo& o : spec->options)
      std::cout << "    option:      " << o.name << " (" << option_type_name(o.type)
                << ", default " << option_value_string(o.default_value) << "): " << o.help << "\n";
  }
  return 0;
}

}  // namespace pavlov::cli
