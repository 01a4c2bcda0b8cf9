// `pavlov sample RUN_DIR|CHECKPOINT`: text from a trained language model
// ([task] kind = "language_model": the prompt and what follows) or a
// translation model (translate: the prompt's translation).
#include <iostream>
#include <string>

#include "engine/cli/commands.h"
#include "engine/config/experiment.h"
#include "engine/runtime/task.h"

namespace pavlov::cli {

int sample_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::cout << "usage: pavlov sample RUN_DIR|CHECKPOINT [--prompt TEXT] [--tokens N] [--temperature T]\n"
                 "                     [--top-k K] [--seed S]\n\n"
                 "A language model's run: prints TEXT and the N characters (default 200) the model writes\n"
                 "after it, drawn at temperature T (default 1) from its K likeliest next characters\n"
                 "(default 0: all). A translation model's run: prints the translation of TEXT (beam search).\n";
    return args.empty() ? 2 : 0;
  }
  std::string target;
  GenerateOptions o;
  try {
    for (std::size_t i = 0; i < args.size(); ++i) {
      const bool has = i + 1 < args.size();
      if (args[i] == "--prompt" && has) o.prompt = args[++i];
      else if (args[i] == "--tokens" && has) o.tokens = static_cast<int>(int_option("--tokens", args[++i]));
      else if (args[i] == "--temperature" && has) o.temperature = std::stod(args[++i]);
      else if (args[i] == "--top-k" && has) o.top_k = static_cast<int>(int_option("--top-k", args[++i], 0));
      else if (args[i] == "--seed" && has) o.seed = seed_option("--seed", args[++i]);
      else if (target.empty() && args[i].rfind("--", 0) != 0) target = args[i];
      else throw std::invalid_argument("unexpected argument '" + args[i] + "'");
    }
  } catch (const std::exception& e) {
    std::cerr << "pavlov sample: " << e.what() << " (see --help)\n";
    return 2;
  }
  if (o.tokens < 1 || o.temperature <= 0 || o.top_k < 0) {
    std::cerr << "pavlov sample: --tokens must be >= 1, --temperature > 0, --top-k >= 0\n";
    return 2;
  }
  const auto found = find_checkpoint("sample", target, false);
  if (!found) return 2;
  const Config cfg = load_experiment((found->dir / "config.toml").string());
  const std::string kind = cfg.get_string("task.kind");
  if (kind != "language_model" && kind != "translate") {
    std::cerr << "pavlov sample: " << found->dir.string() << " is a " << kind
              << " run; only language_model and translate runs write text\n";
    return 2;
  }
  const auto task = make_task(cfg);
  try {
    std::cout << task->generate(found->file, o) << "\n";
  } catch (const std::invalid_argument& e) {
    std::cerr << "pavlov sample: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace pavlov::cli
