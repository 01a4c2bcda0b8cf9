// pavlov: the command-line entry point. A thin composition: every env, agent
// and network it names is reached through a registry.
#include <exception>
#include <iostream>
#include <malloc.h>
#include <string>
#include <vector>

#include "engine/cli/commands.h"
#include "engine/config/config_error.h"
#include "engine/env/env_error.h"
#include "engine/env/plugin_loader.h"

namespace {

constexpr const char* kUsage = R"(pavlov: deep reinforcement learning in C++

usage: pavlov <command> [arguments]

commands:
  run FILE [key=value ...]       train the experiment FILE describes (docs/experiments.md)
  validate FILE [key=value ...]  check an experiment file, print the resolved configuration
  resume RUN_DIR                 continue a run from its latest checkpoint
  eval RUN_DIR|CHECKPOINT        evaluate a trained agent greedily
  watch RUN_DIR|CHECKPOINT       watch a trained agent play in a window (or --record it)
  play ENV_ID                    play an environment yourself with the arrow keys
  plot RUN_DIR...                learning curves of runs as a PNG
  list envs|agents|nets|optimizers|activations|schedules
                                 what an experiment file can name
  bench env [ID] [options]       steps/s of an environment with random actions
                                 (every registered id when ID is left out)
  check-env ID                   the conformance check of an environment (a plugin's too)
  actor FILE --connect HOST:PORT act for a learner that listens (async runtime; docs/protocol.md)
  sample RUN_DIR [--prompt TEXT] text from a trained language model
  explain RUN_DIR [--input test:I,J | --steps T,U]
                                 saliency maps of a classifier or a DQN agent (PNG)
  docs                           the reference of every experiment key, as Markdown

options:
  -h, --help                     this text; `pavlov <command> --help` for a command's own
  --version                      the version of pavlov
  --plugin PATH                  with any command: load an environment plugin first
                                 (repeatable; PAVLOV_PLUGIN_PATH lists more; docs/custom_env.md)
)";

// Takes every `--plugin PATH` / `--plugin=PATH` out of args and loads it, after
// the plugins of PAVLOV_PLUGIN_PATH.
void load_plugins(std::vector<std::string>& args) {
  pavlov::load_plugins_from_environment();
  for (std::size_t i = 0; i < args.size();) {
    if (args[i] == "--plugin") {
      if (i + 1 >= args.size()) throw pavlov::PluginError("--plugin needs a path: --plugin path/to/libmy_env.so");
      pavlov::load_plugin(args[i + 1]);
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
    } else if (args[i].rfind("--plugin=", 0) == 0) {
      pavlov::load_plugin(args[i].substr(9));
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // LibTorch allocates and frees the same large buffers (activations, im2col
  // scratch) on every training step. glibc would map each one afresh and
  // return it on free, so every step paid page faults on fresh zeroed pages
  // (12 % of a CNN training epoch). Blocks up to 1 GiB now come from the heap,
  // and freed memory stays there for the next step.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "pavlov " << PAVLOV_VERSION << "\n";
    return 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    load_plugins(args);
    if (command == "check-env") return pavlov::cli::check_env_command(args);
    if (command == "actor") return pavlov::cli::actor_command(args);
    if (command == "sample") return pavlov::cli::sample_command(args);
    if (command == "explain") return pavlov::cli::explain_command(args);
    if (command == "list") return pavlov::cli::list_command(args);
    if (command == "bench") return pavlov::cli::bench_command(args);
    if (command == "run") return pavlov::cli::run_command(args);
    if (command == "validate") return pavlov::cli::validate_command(args);
    if (command == "resume") return pavlov::cli::resume_command(args);
    if (command == "eval") return pavlov::cli::eval_command(args);
    if (command == "docs") return pavlov::cli::docs_command(args);
    if (command == "watch") return pavlov::cli::watch_command(args);
    if (command == "play") return pavlov::cli::play_command(args);
    if (command == "plot") return pavlov::cli::plot_command(args);
    std::cerr << "pavlov: unknown command '" << command << "'. Run `pavlov --help` for the list of commands.\n";
    return 2;
  } catch (const pavlov::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const pavlov::cli::UsageError& e) {
    std::cerr << "pavlov " << command << ": " << e.what() << ". Run `pavlov " << command << " --help`.\n";
    return 2;
  } catch (const pavlov::PluginError& e) {
    std::cerr << "pavlov: " << e.what() << "\n";
    return 2;
  } catch (const pavlov::EnvError& e) {
    std::cerr << "pavlov: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "pavlov: internal error: " << e.what() << "\n";
    return 1;
  }
}
