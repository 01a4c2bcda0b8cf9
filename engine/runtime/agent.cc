#include "engine/runtime/agent.h"

#include <map>
#include <stdexcept>

#include "engine/config/catalog.h"

namespace pavlov {
namespace {
std::map<std::string, AgentFactory>& factories() {
  static std::map<std::string, AgentFactory> f;
  return f;
}
}  // namespace

ActionInsight Agent::insight(ConstArrayView) { return {}; }

SaliencyMap Agent::saliency(ConstArrayView) { return {}; }

void Policy::finish_block(Experience&) {}

std::unique_ptr<Policy> Agent::make_policy(int, int, int, std::uint64_t) { return nullptr; }

// Reached only for an agent whose make_policy returned a policy but that left these out: a bug in that agent.
void Agent::policy_weights(std::vector<float>&) { throw std::logic_error("this agent has no policy weights"); }

void Agent::release_columns(int, int) {}

void Agent::observe_columns(int, ConstArrayView, ConstArrayView, const Batch&, std::span<const float>) {
  throw std::logic_error("this agent does not learn from actors' experience");
}

bool register_agent(const std::string& name, const std::string& summary, std::vector<KeySpec> keys, AgentFactory factory,
                    std::vector<std::pair<std::string, ConfigValue>> defaults) {
  Catalog::global().add({"agent", name, summary, std::move(keys), std::move(defaults)});
  factories()[name] = std::move(factory);
  return true;
}

std::unique_ptr<Agent> make_agent(const std::string& name, const AgentContext& context) {
  auto it = factories().find(name);
  if (it == factories().end()) throw std::invalid_argument("unknown agent '" + name + "'");
  return it->second(context);
}

}  // namespace pavlov
