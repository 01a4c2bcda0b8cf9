#include <iomanip>
#include <iostream>

#include "engine/cli/commands.h"
#include "engine/env/registry.h"

namespace pavlov::cli {

int list_command(const std::vector<std::string>& args) {
  if (args.size() == 1 && (args[0] == "-h" || args[0] == "--help")) {
    std::cout << "usage: pavlov list envs\n\nPrints every registered environment id with its observation and action\n"
                 "spaces, its time limit and its keyword options (name, type, default).\n";
    return 0;
  }
  if (args.size() != 1 || args[0] != "envs") {
    std::cerr << "pavlov list: expected `pavlov list envs`\n";
    return 2;
  }
  for (const EnvSpec* spec : EnvRegistry::global().all()) {
    auto env = EnvRegistry::global().make(spec->id);
    std::cout << spec->id << "  (" << spec->summary << ")\n"
              << "    observation: " << env->observation_space().to_string() << "\n"
              << "    action:      " << env->action_space().to_string() << "\n"
              << "    time limit:  "
              << (spec->max_episode_steps > 0 ? std::to_string(spec->max_episode_steps) + " steps" : "none") << "\n";
    for (const OptionInfo& o : spec->options)
      std::cout << "    option:      " << o.name << " (" << option_type_name(o.type)
                << ", default " << option_value_string(o.default_value) << "): " << o.help << "\n";
  }
  return 0;
}

}  // namespace pavlov::cli
