// The subcommands of the `pavlov` executable. Each takes the arguments after
// its name and returns the process exit code (0 ok, 2 a usage or config
// error, 130 interrupted).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pavlov::cli {

int list_command(const std::vector<std::string>& args);
int bench_command(const std::vector<std::string>& args);
int run_command(const std::vector<std::string>& args);
int validate_command(const std::vector<std::string>& args);
int resume_command(const std::vector<std::string>& args);
int eval_command(const std::vector<std::string>& args);
int docs_command(const std::vector<std::string>& args);
int watch_command(const std::vector<std::string>& args);
int play_command(const std::vector<std::string>& args);
int plot_command(const std::vector<std::string>& args);
int check_env_command(const std::vector<std::string>& args);
int actor_command(const std::vector<std::string>& args);
int sample_command(const std::vector<std::string>& args);
int explain_command(const std::vector<std::string>& args);

// A command line the command cannot take; main prints "pavlov COMMAND: what()"
// and exits with 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The value of a numeric option (`--episodes 5`, `--seed 7`): the whole text
// must be the number (int_option: from min to INT_MAX), else a UsageError
// that names the option and the text.
std::int64_t int_option(const std::string& option, const std::string& text, std::int64_t min = 1);
std::uint64_t seed_option(const std::string& option, const std::string& text);

// A run folder or a checkpoint file named on the command line: the run's
// folder (with config.toml) and the checkpoint to load: the latest, or with
// `best` checkpoints/best.ckpt. Says why on stderr and returns nothing when
// there is none.
struct CheckpointTarget {
  std::filesystem::path dir, file;
};
std::optional<CheckpointTarget> find_checkpoint(const std::string& command, const std::string& target, bool best);

}  // namespace pavlov::cli
