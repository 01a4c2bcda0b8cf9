// Experiment files: load a TOML file, apply command-line overrides, validate
// everything against the schema that the engine, the env, the agent, the
// network and the optimizer declare, and fill in defaults.
//
//   pavlov::Config cfg = pavlov::load_experiment("experiments/cartpole_dqn.toml", {"agent.lr=1e-3"});
//   double lr = cfg.get_float("optimizer.lr");
//
// The tables (docs/experiments.md lists every key):
//   [experiment] name, seed, device, out_dir
//   [env] id, num_envs, threads     [env.options] the env's own options
//   [agent] algo and its keys       [agent.net] the network
//   [optimizer] name, lr, ...       [replay] ...      [train] ...
//
// Every problem found is reported at once in a ConfigError; nothing is
// created on disk by loading. An override is `key.path=value`, the value in
// TOML syntax (1e-3, true, [64, 64], "adam"); a value that is not valid TOML
// is taken as a string, so `env.id=CartPole-v1` works unquoted.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/config_error.h"
#include "engine/config/value.h"

namespace pavlov {

class Config {
 public:
  struct Entry {
    ConfigValue value;
    std::string origin;  // "file.toml:3:7", "override 'agent.lr=1e-3'" or "default"
  };

  bool has(std::string_view path) const { return entries_.count(std::string(path)) > 0; }
  bool get_bool(std::string_view path) const;
  std::int64_t get_int(std::string_view path) const;
  double get_float(std::string_view path) const;  // integers convert
  const std::string& get_string(std::string_view path) const;
  const std::vector<std::int64_t>& get_int_list(std::string_view path) const;
  const std::vector<std::string>& get_string_list(std::string_view path) const;
  const Entry& entry(std::string_view path) const;

  // The keys directly inside `table` ("env.options"), by name.
  std::map<std::string, const Entry*> table(std::string_view table) const;

  // The resolved configuration as a TOML document, defaults included.
  std::string to_toml() const;
  // The file it came from.
  const std::string& source() const { return source_; }

 private:
  friend Config parse_experiment(std::string_view, const std::string&, const std::vector<std::string>&);
  std::map<std::string, Entry> entries_;
  std::string source_;
};

// Loads and validates `path` with `overrides` applied. Throws ConfigError.
Config load_experiment(const std::string& path, const std::vector<std::string>& overrides = {});
// The same for TOML text; `source` names it in messages.
Config parse_experiment(std::string_view text, const std::string& source, const std::vector<std::string>& overrides = {});

// The keys of the engine's own tables ([experiment], [env], [replay], [train]),
// for the docs and `pavlov list`.
const std::vector<std::pair<std::string, std::vector<KeySpec>>>& engine_tables();

}  // namespace pavlov
