// pavlov::EnvRegistry: every environment id a user can name, with its time
// limit and typed options. The only way the CLI, a config file or a plugin
// reaches a concrete environment.
//
// An environment joins with one statement in its .cc file:
//
//   const bool kRegistered = pavlov::register_env<Pendulum>(
//       {.id = "Pendulum-v1", .max_episode_steps = 200, .summary = "..."},
//       pavlov::OptionBinder<PendulumOptions>().add("g", &PendulumOptions::g, "gravity (m/s^2)"));
//
// The registry is a function-local static, so registration order across
// translation units never matters. Ids carry a version suffix (Gymnasium's
// "Name-vN"); a second registration of an id throws.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/env/env.h"
#include "engine/env/options.h"

namespace pavlov {

struct EnvSpec {
  std::string id;                     // "CartPole-v1"
  std::int64_t max_episode_steps = 0;  // the TimeLimit; 0: none
  std::string summary;                // one line for `pavlov list envs`
  std::vector<OptionInfo> options;    // declared keyword options
  // Builds the env from options that passed check_options (missing ones take defaults).
  std::function<std::unique_ptr<Env>(const OptionMap&)> factory;
  // Who registered it: empty for pavlov's own envs, else the plugin's path (set by the registry).
  std::string source;
};

class EnvRegistry {
 public:
  static EnvRegistry& global();

  // Adds an id; throws std::logic_error if it is already there or malformed.
  // The spec's source becomes the plugin being loaded (PluginScope), if any.
  void add(EnvSpec spec);
  // Removes an id (a plugin whose registration failed halfway); no-op if absent.
  void remove(std::string_view id);
  // While one is alive, added specs are marked as registered by `plugin_path`.
  class PluginScope {
   public:
    explicit PluginScope(std::string plugin_path);
    ~PluginScope();
    PluginScope(const PluginScope&) = delete;
    PluginScope& operator=(const PluginScope&) = delete;
  };
  // The spec of `id`; throws EnvError naming the closest ids if unknown.
  const EnvSpec& find(std::string_view id) const;
  bool contains(std::string_view id) const;
  // All specs, sorted by id.
  std::vector<const EnvSpec*> all() const;
  std::vector<std::string> ids() const;

  // Builds `id` with the given options, its time limit set.
  std::unique_ptr<Env> make(std::string_view id, const OptionMap& options = {}) const;

 private:
  std::vector<std::unique_ptr<EnvSpec>> specs_;
  std::string loading_;  // the plugin being loaded, for EnvSpec::source
};

// Shorthand for EnvRegistry::global().make(id, options).
std::unique_ptr<Env> make_env(std::string_view id, const OptionMap& options = {});

// Registers EnvT, constructed from the options struct that `options` binds.
template <class EnvT, class Opts>
bool register_env(EnvSpec spec, OptionBinder<Opts> options) {
  spec.options = options.infos();
  spec.factory = [binder = std::move(options)](const OptionMap& given) -> std::unique_ptr<Env> {
    return std::make_unique<EnvT>(binder.build(given));
  };
  EnvRegistry::global().add(std::move(spec));
  return true;
}

// Registers EnvT with no options (default-constructed).
template <class EnvT>
bool register_env(EnvSpec spec) {
  spec.factory = [](const OptionMap&) -> std::unique_ptr<Env> { return std::make_unique<EnvT>(); };
  EnvRegistry::global().add(std::move(spec));
  return true;
}

}  // namespace pavlov
