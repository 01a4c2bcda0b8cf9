// `pavlov check-env ID`: the conformance check (engine/env/conformance.h) as
// a command, for an environment of a plugin (--plugin) as much as a built-in.
#include <iostream>
#include <string>

#include "engine/cli/commands.h"
#include "engine/env/conformance.h"
#include "engine/env/registry.h"

namespace pavlov::cli {

int check_env_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::cout << "usage: pavlov check-env ID [--episodes N] [--seed S] [--plugin PATH]\n\n"
                 "Plays random episodes of ID and checks the Env contract: observations inside the\n"
                 "observation space (no NaN), finite rewards, seeding (same seed, same trajectory),\n"
                 "the time limit, the errors for bad calls, state round trips and vectorized stepping.\n"
                 "Prints each violation; exit code 0 when there is none, 1 otherwise.\n";
    return args.empty() ? 2 : 0;
  }
  ConformanceOptions options;
  std::string id;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--episodes" && i + 1 < args.size()) options.episodes = static_cast<int>(int_option("--episodes", args[++i]));
    else if (args[i] == "--seed" && i + 1 < args.size()) options.seed = seed_option("--seed", args[++i]);
    else if (id.empty() && args[i].rfind("--", 0) != 0) id = args[i];
    else {
      std::cerr << "pavlov check-env: unexpected argument '" << args[i] << "' (see --help)\n";
      return 2;
    }
  }
  const EnvSpec& spec = EnvRegistry::global().find(id);  // an unknown id: EnvError, exit 2
  const auto problems = check_env_conformance(id, options);
  if (problems.empty()) {
    std::cout << id << ": conforms (" << options.episodes << " random episodes, seed " << options.seed
              << (spec.source.empty() ? "" : ", plugin " + spec.source) << ")\n";
    return 0;
  }
  std::cout << id << ": " << problems.size() << " problem" << (problems.size() == 1 ? "" : "s") << "\n";
  for (const auto& p : problems) std::cout << "  - " << p << "\n";
  return 1;
}

}  // namespace pavlov::cli
