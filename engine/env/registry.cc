#include "engine/env/registry.h"

#include <algorithm>
#include <regex>
#include <stdexcept>

#include "engine/env/env_error.h"
#include "engine/util/did_you_mean.h"

namespace pavlov {

EnvRegistry& EnvRegistry::global() {
  static EnvRegistry registry;
  return registry;
}

void EnvRegistry::add(EnvSpec spec) {
  static const std::regex kIdPattern(R"([A-Za-z][A-Za-z0-9_/.]*-v[0-9]+)");
  if (!std::regex_match(spec.id, kIdPattern))
    throw std::logic_error("env id '" + spec.id + "' must look like Name-vN");
  if (contains(spec.id)) {
    const std::string& by = find(spec.id).source;
    throw std::logic_error("env id '" + spec.id + "' is already registered (by " +
                           (by.empty() ? std::string("pavlov itself") : "the plugin " + by) + ")");
  }
  if (!spec.factory) throw std::logic_error("env id '" + spec.id + "' has no factory");
  spec.source = loading_;
  specs_.push_back(std::make_unique<EnvSpec>(std::move(spec)));
}

void EnvRegistry::remove(std::string_view id) {
  std::erase_if(specs_, [&](const auto& s) { return s->id == id; });
}

EnvRegistry::PluginScope::PluginScope(std::string plugin_path) { global().loading_ = std::move(plugin_path); }
EnvRegistry::PluginScope::~PluginScope() { global().loading_.clear(); }

bool EnvRegistry::contains(std::string_view id) const {
  return std::any_of(specs_.begin(), specs_.end(), [&](const auto& s) { return s->id == id; });
}

const EnvSpec& EnvRegistry::find(std::string_view id) const {
  for (const auto& s : specs_)
    if (s->id == id) return *s;
  std::string msg = "unknown environment id '" + std::string(id) + "'.";
  msg += did_you_mean(id, ids());
  msg += " Run `pavlov list envs` to see every registered id.";
  throw EnvError(msg);
}

std::vector<const EnvSpec*> EnvRegistry::all() const {
  std::vector<const EnvSpec*> out;
  for (const auto& s : specs_) out.push_back(s.get());
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->id < b->id; });
  return out;
}

std::vector<std::string> EnvRegistry::ids() const {
  std::vector<std::string> out;
  for (const auto* s : all()) out.push_back(s->id);
  return out;
}

std::unique_ptr<Env> EnvRegistry::make(std::string_view id, const OptionMap& options) const {
  const EnvSpec& spec = find(id);
  check_options(spec.id, spec.options, options);
  std::unique_ptr<Env> env = spec.factory(options);
  env->id_ = spec.id;
  env->max_episode_steps_ = spec.max_episode_steps;
  return env;
}

std::unique_ptr<Env> make_env(std::string_view id, const OptionMap& options) {
  return EnvRegistry::global().make(id, options);
}

}  // namespace pavlov
