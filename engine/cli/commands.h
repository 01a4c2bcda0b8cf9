// The subcommands of the `pavlov` executable. Each takes the arguments after
// its name and returns the process exit code (0 ok, 2 a usage or config
// error, 130 interrupted).
#pragma once

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

}  // namespace pavlov::cli
